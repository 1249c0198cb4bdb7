package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.SlowConsumerPolicy;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer hand-off: one send in flight, completions on any thread, nothing lost or reordered. */
class OutboundTest {
    private final ExecutorService io = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        io.shutdownNow();
        scheduler.shutdownNow();
    }

    /** Completes sends inline, on an I/O thread, or on an I/O thread racing the return of {@code send}. */
    private final class MixedTransport implements Transport {
        final List<String> received = new ArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final Random random = new Random(7);

        @Override
        public Framing framing() {
            return Framing.WEBSOCKET;
        }

        @Override
        public void send(List<OutboundFrame> frames, SendCallback callback) {
            if (inFlight.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            synchronized (received) {
                for (OutboundFrame f : frames) {
                    received.add(f.text());
                }
            }
            int mode;
            synchronized (random) {
                mode = random.nextInt(3);
            }
            Runnable done = () -> {
                inFlight.decrementAndGet();
                callback.completed();
            };
            if (mode == 0) {
                done.run();
            } else {
                io.execute(done);
            }
        }

        @Override
        public void close(int code, String reason) {
        }
    }

    private static final class Events implements Outbound.Listener {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

        @Override
        public void dropped(int frames) {
            seen.add("dropped " + frames);
        }

        @Override
        public void drained() {
            seen.add("drained");
        }

        @Override
        public void failed(Throwable cause) {
            seen.add("failed " + cause);
        }
    }

    private static OutboundFrame frame(String text) {
        return OutboundFrame.message(text.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void completionsOnAnyThreadKeepOneSendInFlightAndEveryFrameInOrder() throws InterruptedException {
        MixedTransport t = new MixedTransport();
        Events events = new Events();
        Outbound out = new Outbound(null, t, 1_000_000, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, events, 0,
                scheduler, null);
        int producers = 3;
        int perProducer = 20_000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    if (out.offer(frame(producer + ":" + i)) == Outbound.Offer.QUEUED_START_WRITER) {
                        out.drain();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            th.join();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            synchronized (t.received) {
                return t.received.size() == producers * perProducer;
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(out::idle);
        assertThat(t.overlaps.get()).isZero();
        int[] next = new int[producers];
        synchronized (t.received) {
            for (String s : t.received) {
                int p = Integer.parseInt(s.substring(0, s.indexOf(':')));
                int i = Integer.parseInt(s.substring(s.indexOf(':') + 1));
                assertThat(i).as("producer %d", p).isEqualTo(next[p]);
                next[p]++;
            }
        }
        out.close(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.seen.contains("drained"));
        assertThat(events.seen).containsExactly("drained");
    }

    @Test
    void closingWhileASendIsInFlightFlushesTheRestThenReportsDrainedOnce() {
        MixedTransport t = new MixedTransport();
        Events events = new Events();
        Outbound out = new Outbound(null, t, 100, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, events, 0,
                scheduler, null);
        for (int i = 0; i < 50; i++) {
            if (out.offer(frame("f" + i)) == Outbound.Offer.QUEUED_START_WRITER) {
                out.drain();
            }
        }
        out.close(false);
        out.close(false);
        assertThat(out.offer(frame("late"))).isEqualTo(Outbound.Offer.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.seen.contains("drained"));
        synchronized (t.received) {
            assertThat(t.received).hasSize(50).doesNotContain("late");
        }
        assertThat(events.seen).containsExactly("drained");
    }
}
