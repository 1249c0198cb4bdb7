package io.herald.testing;

import io.herald.internal.InMemoryHistoryLog;
import io.herald.spi.HistoryLog;
import io.herald.spi.Replay;
import io.herald.spi.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * An in-memory history that runs a step once, on the next history read: what happens "during a resume",
 * while the hub holds the live events of the connection that resumes.
 */
public final class HookedHistoryLog implements HistoryLog {
    private final HistoryLog log = new InMemoryHistoryLog(1_000, Duration.ofMinutes(5), Clock.systemUTC());
    private final AtomicReference<Runnable> duringNextRead = new AtomicReference<>(() -> { });

    /** @param step what the next {@link #readAfter} runs before it reads; runs once */
    public void duringNextRead(Runnable step) {
        duringNextRead.set(step);
    }

    @Override
    public StoredEvent append(String topic, byte[] data, long timestamp, String room, String from, String to) {
        return log.append(topic, data, timestamp, room, from, to);
    }

    @Override
    public Replay readAfter(String id, Predicate<StoredEvent> matcher, int limit) {
        duringNextRead.getAndSet(() -> { }).run();
        return log.readAfter(id, matcher, limit);
    }

    @Override
    public int compare(String a, String b) {
        return log.compare(a, b);
    }

    @Override
    public String epoch() {
        return log.epoch();
    }
}
