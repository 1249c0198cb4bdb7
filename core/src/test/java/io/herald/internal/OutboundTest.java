package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.SlowConsumerPolicy;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
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

    /** A scheduler whose one thread waits for {@link #timers} to open: the hold timers run when a test says. */
    private final ScheduledExecutorService stalled = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch timers = new CountDownLatch(1);

    {
        stalled.execute(() -> {
            try {
                timers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
        scheduler.shutdownNow();
        stalled.shutdownNow();
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

    private static class Events implements Outbound.Listener {
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

    private static OutboundFrame undroppable(String text) {
        return OutboundFrame.message(text.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void keepAlivesAndSendsCountAsWrittenOnlyOnceTheirSendCompletesAlsoInBatchFrames() {
        HeldTransport t = new HeldTransport();
        Outbound out = new Outbound(null, t, 100, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, new Events(), 0,
                scheduler, parts -> String.join(",", parts.stream().map(String::new).toList())
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(out.offer(OutboundFrame.PING)).isEqualTo(Outbound.Offer.QUEUED_START_WRITER);
        out.drain();
        assertThat(out.offer(frame("a"))).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(out.offer(OutboundFrame.PING)).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(out.offer(frame("b"))).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(out.offer(OutboundFrame.PING)).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(out.pingsWritten()).isZero();
        assertThat(out.completions()).isZero();

        t.complete();
        assertThat(out.pingsWritten()).isEqualTo(1);
        assertThat(out.completions()).isEqualTo(1);
        // the next batch: the two events in one batch frame, both keep-alives beside it
        assertThat(t.received).containsExactly("", "a,b", "", "");
        assertThat(out.pingsWritten()).isEqualTo(1);
        t.complete();
        assertThat(out.pingsWritten()).isEqualTo(3);
        assertThat(out.completions()).isEqualTo(2);
        assertThat(out.idle()).isTrue();
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

    /** Holds every send until told to complete it, so frames pile up behind the one in flight. */
    private static final class HeldTransport implements Transport {
        final List<String> received = new ArrayList<>();
        SendCallback pending;

        @Override
        public Framing framing() {
            return Framing.WEBSOCKET;
        }

        @Override
        public synchronized void send(List<OutboundFrame> frames, SendCallback callback) {
            for (OutboundFrame f : frames) {
                received.add(f.text());
            }
            pending = callback;
        }

        /** Completes the send in flight (which may start the next one on this thread). */
        void complete() {
            SendCallback c;
            synchronized (this) {
                c = pending;
                pending = null;
            }
            c.completed();
        }

        synchronized boolean sending() {
            return pending != null;
        }

        @Override
        public void close(int code, String reason) {
        }
    }

    private static void offerAndDrive(Outbound out, String text) {
        if (out.offer(frame(text)) == Outbound.Offer.QUEUED_START_WRITER) {
            out.drain();
        }
    }

    @Test
    void theRingCreatedOnDemandAndLetGoWhenIdleStillEnforcesBothBounds() {
        HeldTransport t = new HeldTransport();
        Events events = new Events();
        // 3 frames or 10 bytes, whichever comes first; every frame below is 2 bytes
        Outbound out = new Outbound(null, t, 3, 10, SlowConsumerPolicy.DISCONNECT, events, 0, scheduler, null);
        for (int round = 0; round < 3; round++) {
            offerAndDrive(out, "a" + round);
            assertThat(t.sending()).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(out.offer(frame("q" + i))).as("round %d frame %d", round, i)
                        .isEqualTo(Outbound.Offer.QUEUED);
            }
            if (round == 2) {
                // a refusal is for good (see below), so the bound is tried once the ring was let go twice
                assertThat(out.offer(frame("q3"))).as("the fourth waiting frame").isEqualTo(Outbound.Offer.OVERFLOW);
            }
            assertThat(out.queued()).isEqualTo(3);
            t.complete();
            t.complete();
            assertThat(out.idle()).isTrue();
        }
        synchronized (t) {
            assertThat(t.received).containsExactly("a0", "q0", "q1", "q2", "a1", "q0", "q1", "q2", "a2", "q0", "q1",
                    "q2");
        }
        // the byte bound: 5 frames would fit by count but not by bytes
        Outbound bytes = new Outbound(null, t, 100, 5, SlowConsumerPolicy.DISCONNECT, events, 0, scheduler, null);
        offerAndDrive(bytes, "b0");
        assertThat(bytes.offer(frame("b1"))).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(bytes.offer(frame("b2"))).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(bytes.offer(frame("b3"))).isEqualTo(Outbound.Offer.OVERFLOW);
        assertThat(bytes.queuedBytes()).isEqualTo(4);
    }

    @Test
    void aQueueThatRefusedAFrameRefusesEveryLaterOneEvenOnceThereIsRoom() {
        for (SlowConsumerPolicy policy : SlowConsumerPolicy.values()) {
            HeldTransport t = new HeldTransport();
            Outbound out = new Outbound(null, t, 2, Long.MAX_VALUE, policy, new Events(), 0, scheduler, null);
            offerAndDrive(out, "e1");
            assertThat(out.offer(undroppable("e2"))).isEqualTo(Outbound.Offer.QUEUED);
            assertThat(out.offer(undroppable("e3"))).isEqualTo(Outbound.Offer.QUEUED);
            assertThat(out.offer(undroppable("e4"))).as(policy + ": full of frames it may not drop")
                    .isEqualTo(Outbound.Offer.OVERFLOW);

            t.complete();
            assertThat(out.offer(undroppable("e5"))).as(policy + ": the queue has room again, but missed e4")
                    .isEqualTo(Outbound.Offer.OVERFLOW);
            assertThat(out.offer(frame("e6"))).isEqualTo(Outbound.Offer.OVERFLOW);
            t.complete();
            synchronized (t) {
                assertThat(t.received).as(policy + ": what was sent has no gap").containsExactly("e1", "e2", "e3");
            }
        }
    }

    @Test
    void dropOldestStillMakesRoomAfterTheRingWasLetGo() {
        HeldTransport t = new HeldTransport();
        Events events = new Events();
        Outbound out = new Outbound(null, t, 2, Long.MAX_VALUE, SlowConsumerPolicy.DROP_OLDEST, events, 0, scheduler,
                null);
        offerAndDrive(out, "x");
        t.complete();
        assertThat(out.idle()).isTrue();
        offerAndDrive(out, "a");
        out.offer(frame("b"));
        out.offer(frame("c"));
        assertThat(out.offer(frame("d"))).isEqualTo(Outbound.Offer.QUEUED);
        assertThat(events.seen).containsExactly("dropped 1");
        t.complete();
        t.complete();
        synchronized (t) {
            assertThat(t.received).containsExactly("x", "a", "c", "d");
        }
    }

    /** Gives a last frame once, and records when it was asked. */
    private static final class Closing extends Events {
        @Override
        public OutboundFrame lastFrame() {
            seen.add("asked");
            return frame("last");
        }
    }

    @Test
    void aFullQueueClosedWithDiscardWritesTheLastFrameRightAfterTheSendInFlightThenDrains() {
        HeldTransport t = new HeldTransport();
        Closing events = new Closing();
        Outbound out = new Outbound(null, t, 2, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, events, 0, scheduler,
                null);
        offerAndDrive(out, "a");
        out.offer(frame("b"));
        out.offer(frame("c"));
        assertThat(out.offer(frame("d"))).isEqualTo(Outbound.Offer.OVERFLOW);
        out.close(true);
        assertThat(events.seen).as("nothing asked while the send is in flight").isEmpty();
        t.complete();
        assertThat(events.seen).containsExactly("asked");
        out.close(true);
        t.complete();
        assertThat(events.seen).containsExactly("asked", "drained");
        assertThat(out.idle()).isTrue();
        synchronized (t) {
            assertThat(t.received).containsExactly("a", "last");
        }
    }

    @Test
    void aQueueClosedToFlushWritesTheLastFrameAfterEverythingQueuedAndOnlyOnce() {
        HeldTransport t = new HeldTransport();
        Closing events = new Closing();
        Outbound out = new Outbound(null, t, 10, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, events, 0, scheduler,
                null);
        offerAndDrive(out, "a");
        out.offer(frame("b"));
        out.close(false);
        assertThat(out.offer(frame("late"))).isEqualTo(Outbound.Offer.CLOSED);
        t.complete();
        assertThat(events.seen).isEmpty();
        t.complete();
        assertThat(events.seen).containsExactly("asked");
        assertThat(out.idle()).as("the last frame is being written").isFalse();
        out.close(true);
        t.complete();
        assertThat(events.seen).containsExactly("asked", "drained");
        assertThat(out.idle()).isTrue();
        synchronized (t) {
            assertThat(t.received).containsExactly("a", "b", "last");
        }
    }

    @Test
    void aFailedSendEndsTheQueueWithoutTheLastFrame() {
        HeldTransport t = new HeldTransport();
        Closing events = new Closing();
        Outbound out = new Outbound(null, t, 10, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, events, 0, scheduler,
                null);
        offerAndDrive(out, "a");
        out.close(false);
        SendCallback inFlight;
        synchronized (t) {
            inFlight = t.pending;
            t.pending = null;
        }
        inFlight.failed(new IOException("gone"));
        assertThat(events.seen).containsExactly("failed java.io.IOException: gone");
        synchronized (t) {
            assertThat(t.received).containsExactly("a");
        }
    }

    /** Completes every send at once and keeps each batch it was given. */
    private static final class BatchTransport implements Transport {
        final List<List<String>> batches = new ArrayList<>();

        @Override
        public Framing framing() {
            return Framing.WEBSOCKET;
        }

        @Override
        public synchronized void send(List<OutboundFrame> frames, SendCallback callback) {
            batches.add(frames.stream().map(OutboundFrame::text).toList());
            callback.completed();
        }

        synchronized List<List<String>> batches() {
            return List.copyOf(batches);
        }

        @Override
        public void close(int code, String reason) {
        }
    }

    /** A queue with no batch window whose hold timers run only once {@link #timers} opens. */
    private Outbound queue(Transport t, int maxFrames, long maxBytes, Outbound.Listener listener) {
        return new Outbound(null, t, maxFrames, maxBytes, SlowConsumerPolicy.DISCONNECT, listener, 0, stalled, null);
    }

    private static void offerAll(Outbound out, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            offerAndDrive(out, prefix + i);
        }
    }

    @Test
    void aHeldQueueWritesNothingUntilTheHoldEndsAndThenEverythingInOneSend() {
        BatchTransport t = new BatchTransport();
        Outbound out = queue(t, 1_000, Long.MAX_VALUE, new Events());
        out.hold();
        offerAll(out, "a", 5);
        assertThat(out.offer(frame("e"), true)).as("an event for the held connection waits too")
                .isEqualTo(Outbound.Offer.QUEUED);
        assertThat(t.batches()).isEmpty();
        out.endHold();
        assertThat(t.batches()).containsExactly(List.of("a0", "a1", "a2", "a3", "a4", "e"));
        // released: the next frame goes out on its own
        offerAndDrive(out, "b");
        out.endHold();
        assertThat(t.batches()).hasSize(2).last().isEqualTo(List.of("b"));
    }

    @Test
    void aHoldNobodyEndsIsEndedByItsTimer() {
        BatchTransport t = new BatchTransport();
        Outbound out = queue(t, 1_000, Long.MAX_VALUE, new Events());
        out.hold();
        offerAll(out, "a", 3);
        assertThat(t.batches()).isEmpty();
        timers.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !t.batches().isEmpty());
        assertThat(t.batches()).containsExactly(List.of("a0", "a1", "a2"));
        // the timer has run: a new hold arms another one
        out.hold();
        offerAndDrive(out, "b");
        await().atMost(Duration.ofSeconds(5)).until(() -> t.batches().size() == 2);
        assertThat(t.batches().get(1)).containsExactly("b");
    }

    @Test
    void aHeldQueueStartsItsWriterOnceItHoldsSixtyFourFramesOrHalfItsBounds() {
        BatchTransport t = new BatchTransport();
        Outbound out = queue(t, 1_000, Long.MAX_VALUE, new Events());
        out.hold();
        offerAll(out, "a", Outbound.HOLD_FRAMES - 1);
        assertThat(t.batches()).isEmpty();
        offerAndDrive(out, "last");
        assertThat(t.batches()).hasSize(1);
        assertThat(t.batches().get(0)).hasSize(Outbound.HOLD_FRAMES).endsWith("last");

        // a queue of ten frames starts writing at five, long before it could overflow
        BatchTransport small = new BatchTransport();
        Outbound few = queue(small, 10, Long.MAX_VALUE, new Events());
        few.hold();
        offerAll(few, "f", 4);
        assertThat(small.batches()).isEmpty();
        offerAndDrive(few, "f4");
        assertThat(small.batches()).containsExactly(List.of("f0", "f1", "f2", "f3", "f4"));

        // and one of 20 bytes at 10 (each frame here is 2 bytes)
        BatchTransport bytes = new BatchTransport();
        Outbound fewBytes = queue(bytes, 1_000, 20, new Events());
        fewBytes.hold();
        offerAll(fewBytes, "b", 4);
        assertThat(bytes.batches()).isEmpty();
        offerAndDrive(fewBytes, "b4");
        assertThat(bytes.batches()).containsExactly(List.of("b0", "b1", "b2", "b3", "b4"));
    }

    @Test
    void aHoldIsIgnoredByAQueueThatBatchesByTimeAndEndedByClosingTheQueue() {
        BatchTransport t = new BatchTransport();
        Outbound windowed = new Outbound(null, t, 1_000, Long.MAX_VALUE, SlowConsumerPolicy.DISCONNECT, new Events(),
                60_000, stalled, null);
        windowed.hold();
        offerAll(windowed, "w", 2);
        windowed.endHold();
        assertThat(t.batches()).as("the client's batch window still decides").isEmpty();

        BatchTransport c = new BatchTransport();
        Events events = new Events();
        Outbound closing = queue(c, 1_000, Long.MAX_VALUE, events);
        closing.hold();
        offerAll(closing, "c", 2);
        closing.close(false);
        assertThat(c.batches()).containsExactly(List.of("c0", "c1"));
        assertThat(events.seen).containsExactly("drained");
    }
}
