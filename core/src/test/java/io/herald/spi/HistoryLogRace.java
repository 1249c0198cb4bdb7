package io.herald.spi;

import static io.herald.spi.HistoryLogContract.bytes;
import static io.herald.spi.HistoryLogContract.counter;
import static io.herald.spi.HistoryLogContract.counters;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One appender and two readers on one {@link HistoryLog}, for {@link HistoryLogContract}. The readers resume
 * like clients, now and then from an older id or from an evicted one (reading the whole window then, so a
 * slot overwritten during the read would show), and check that every replay is an ordered, gap-free,
 * duplicate-free run that agrees with its {@code recovered} flag. The appender waits for a replay every
 * {@link #APPENDS_PER_REPLAY} appends, so reads interleave with appends on a busy machine too. Every loop
 * and wait is bounded.
 */
final class HistoryLogRace {
    /** Events appended in one run. */
    static final int APPENDS = 10_000;
    /** Appends between two waits of the appender for a replay. */
    static final int APPENDS_PER_REPLAY = 8;
    /** The capacity the log should have. */
    static final int CAPACITY = 64;
    private static final int LIMIT = 16;
    private static final int MAX_REPLAYS = 200_000;

    private final HistoryLog log;
    private final Clock clock;
    private final StoredEvent oldest;
    private final AtomicLong appended = new AtomicLong();
    private final Semaphore replaysDone = new Semaphore(0);
    private final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);

    /**
     * Appends the first event, counter 0.
     *
     * @param log an empty log of {@link #CAPACITY} events and a long maximum age
     * @param clock the log's clock
     */
    HistoryLogRace(HistoryLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
        this.oldest = append(0);
    }

    /**
     * Runs the appender and the readers to the end, rethrowing the first failure.
     *
     * @return the number of replays checked
     */
    int run() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = pool.submit(this::write);
            List<Future<Integer>> readers = List.of(pool.submit(this::read), pool.submit(this::read));
            try {
                writer.get(60, TimeUnit.SECONDS);
            } finally {
                for (Future<Integer> reader : readers) {
                    if (reader.isDone()) {
                        reader.get();
                    }
                }
            }
            int replays = 0;
            for (Future<Integer> reader : readers) {
                replays += reader.get(60, TimeUnit.SECONDS);
            }
            return replays;
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private StoredEvent append(long n) {
        return log.append("t.a", bytes(n), clock.millis(), null, null);
    }

    private void write() {
        for (long n = 1; n <= APPENDS; n++) {
            append(n);
            appended.set(n);
            if (n % APPENDS_PER_REPLAY == 0 && !awaitReplay()) {
                throw new AssertionError("no replay within 10 seconds after " + n + " appends");
            }
        }
    }

    private boolean awaitReplay() {
        try {
            return replaysDone.tryAcquire(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int read() {
        StoredEvent cursor = oldest;
        StoredEvent stale = oldest;
        int replays = 0;
        try {
            boolean done = false;
            while (!done && replays < MAX_REPLAYS && System.nanoTime() < deadline) {
                done = appended.get() == APPENDS;
                StoredEvent from = switch (replays % 16) {
                    case 7 -> stale;
                    case 15 -> oldest;
                    default -> cursor;
                };
                int limit = from == oldest ? Integer.MAX_VALUE : LIMIT;
                long before = appended.get();
                Replay replay = log.readAfter(from.id(), event -> true, limit);
                check(replay, counter(from), before, limit);
                if (from == cursor && !replay.events().isEmpty()) {
                    stale = cursor;
                    cursor = replay.events().get(replay.events().size() - 1);
                }
                replays++;
                replaysDone.release();
            }
        } finally {
            replaysDone.release(APPENDS);
        }
        return replays;
    }

    /** Checks a replay of the events after counter {@code after}, read once {@code before} were appended. */
    private static void check(Replay replay, long after, long before, int limit) {
        List<Long> seen = counters(replay);
        assertThat(seen.size()).isLessThanOrEqualTo(limit);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).as("replay %s", seen).isEqualTo(seen.get(i - 1) + 1);
        }
        if (before > after) {
            assertThat(seen).as("events appended before the read, after %d", after).isNotEmpty();
            assertThat(seen.get(seen.size() - 1)).as("replay %s", seen).isGreaterThanOrEqualTo(before);
        }
        if (seen.isEmpty()) {
            assertThat(replay.recovered()).as("empty replay after %d", after).isTrue();
            return;
        }
        boolean continuous = seen.get(0) == after + 1;
        assertThat(seen.get(0)).as("replay %s after %d", seen, after).isGreaterThan(after);
        assertThat(replay.recovered() ? continuous : !continuous || seen.size() == limit)
                .as("recovered=%s for replay %s after %d", replay.recovered(), seen, after).isTrue();
    }
}
