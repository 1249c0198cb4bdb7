package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.herald.spi.Admission;
import io.herald.spi.Authorizer;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Eight publishers and a thousand connections that subscribe and unsubscribe while events flow: no event
 * is delivered twice, every subscriber sees each publisher's events in order, nothing deadlocks, and
 * nothing is left behind.
 */
class ConcurrencyTest {
    private static final int PUBLISHERS = 8;
    private static final int EVENTS_PER_PUBLISHER = 400;
    private static final int CONNECTIONS = 1_000;
    private static final int CHURNERS = 2;

    /** A WebSocket transport that completes every send at once, handing each message frame to a check. */
    private abstract static class CheckedTransport implements Transport {
        final ConcurrentLinkedQueue<String> violations;

        CheckedTransport(ConcurrentLinkedQueue<String> violations) {
            this.violations = violations;
        }

        /** @param text a message frame, in the order the connection's queue wrote it */
        abstract void check(String text);

        @Override
        public Framing framing() {
            return Framing.WEBSOCKET;
        }

        @Override
        public synchronized void send(List<OutboundFrame> frames, SendCallback callback) {
            for (OutboundFrame f : frames) {
                if (f.kind() == OutboundFrame.Kind.MESSAGE) {
                    check(f.text());
                }
            }
            callback.completed();
        }

        @Override
        public void close(int code, String reason) {
            if (code != 1001) {
                violations.add("unexpected close " + code + " " + reason);
            }
        }
    }

    /** Checks order and duplicates as frames arrive, keeping only a counter per publisher. */
    private static final class CheckingTransport extends CheckedTransport {
        private final long[] lastSeq = new long[PUBLISHERS];
        private final AtomicLong received;

        CheckingTransport(ConcurrentLinkedQueue<String> violations, AtomicLong received) {
            super(violations);
            this.received = received;
            java.util.Arrays.fill(lastSeq, -1);
        }

        @Override
        void check(String text) {
            int at = text.indexOf("\"data\":\"");
            if (!text.startsWith("{\"type\":\"event\"") || at < 0) {
                return;
            }
            int colon = text.indexOf(':', at + 8);
            int end = text.indexOf('"', colon);
            int publisher = Integer.parseInt(text.substring(at + 8, colon));
            long seq = Long.parseLong(text.substring(colon + 1, end));
            if (seq <= lastSeq[publisher]) {
                violations.add("publisher " + publisher + ": " + seq + " after " + lastSeq[publisher]);
            }
            lastSeq[publisher] = seq;
            received.incrementAndGet();
        }
    }

    /** Records an event that arrives for a connection between its unsubscribed and subscribed answers. */
    private static final class UnsubscribedCheck extends CheckedTransport {
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        private boolean subscribed;

        UnsubscribedCheck(ConcurrentLinkedQueue<String> violations) {
            super(violations);
        }

        @Override
        void check(String text) {
            if (text.startsWith("{\"type\":\"subscribed\"")) {
                subscribed = true;
                answers.add("subscribed");
            } else if (text.startsWith("{\"type\":\"unsubscribed\"")) {
                subscribed = false;
                answers.add("unsubscribed");
            } else if (text.startsWith("{\"type\":\"event\"") && !subscribed) {
                violations.add("an event after the unsubscribed answer: " + text);
            }
        }
    }

    @Test
    void noEventOfAPatternFollowsTheAnswerToItsUnsubscribe() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CountDownLatch visiting = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the fan-out stops at the watched subscription, asking the authorizer, until the test lets it go
            Hub hub = Hub.builder().authorizer(new Authorizer() {
                @Override
                public boolean mayReceive(Principal principal, String topic) {
                    visiting.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                }
            }).build();
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            UnsubscribedCheck watched = new UnsubscribedCheck(violations);
            ConnectionHandle w = hub.gateway().open(hub.gateway().admit(Handshake.builder("10.0.2.1").build()), watched);
            w.onText("{\"type\":\"subscribe\",\"topics\":[\"watch.*\"]}");
            assertThat(watched.answers.poll(10, TimeUnit.SECONDS)).isEqualTo("subscribed");
            Thread publisher = new Thread(() -> hub.publish("watch.x", "0:1"), "publisher");
            publisher.start();
            assertThat(visiting.await(10, TimeUnit.SECONDS)).isTrue();
            Thread unsubscriber = new Thread(() -> w.onText("{\"type\":\"unsubscribe\",\"topics\":[\"watch.*\"]}"),
                    "unsubscriber");
            try {
                unsubscriber.start();
                // the unsubscribe either waits for the event being matched (parked on the publish lock) or, were
                // it not ordered with it, has already answered: the event would then follow its answer
                await().atMost(Duration.ofSeconds(10)).until(() -> !unsubscriber.isAlive()
                        || unsubscriber.getState() == Thread.State.WAITING);
                release.countDown();
                publisher.join();
                unsubscriber.join();
                assertThat(watched.answers.poll(10, TimeUnit.SECONDS)).isEqualTo("unsubscribed");
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.metrics().queuedFrames() == 0);
                assertThat(violations).isEmpty();
            } finally {
                release.countDown();
                hub.close(Duration.ofSeconds(1));
            }
        });
    }

    @Test
    void concurrentPublishersAndChurningSubscribersKeepOrderWithoutDuplicates() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), this::run);
    }

    private void run() throws InterruptedException {
        Hub hub = Hub.builder().inboundRate(RateLimit.UNLIMITED).handshakeRate(RateLimit.UNLIMITED)
                .outboundQueue(100_000, 256L << 20).maxConnections(0, 0, 0).build();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicLong received = new AtomicLong();
        List<ConnectionHandle> handles = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Admission a = hub.gateway().admit(Handshake.builder("10.0.0." + (i % 200)).build());
            ConnectionHandle h = hub.gateway().open(a, new CheckingTransport(violations, received));
            h.onText("{\"type\":\"subscribe\",\"topics\":[\"" + (i % 3 == 0 ? "load.*" : i % 3 == 1 ? "load.p" + (i % 8)
                    : "**") + "\"]}");
            handles.add(h);
        }
        CountDownLatch done = new CountDownLatch(PUBLISHERS);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int publisher = p;
            threads.add(new Thread(() -> {
                for (int s = 0; s < EVENTS_PER_PUBLISHER; s++) {
                    hub.publish("load.p" + publisher, publisher + ":" + s);
                }
                done.countDown();
            }, "publisher-" + p));
        }
        for (int t = 0; t < CHURNERS; t++) {
            int churner = t;
            threads.add(new Thread(() -> {
                Random random = new Random(churner);
                while (done.getCount() > 0) {
                    int i = churner + CHURNERS * random.nextInt(CONNECTIONS / CHURNERS);
                    String pattern = random.nextBoolean() ? "load.**" : "load.p" + random.nextInt(PUBLISHERS);
                    handles.get(i).onText("{\"type\":\"subscribe\",\"topics\":[\"" + pattern + "\"]}");
                    handles.get(i).onText("{\"type\":\"unsubscribe\",\"topics\":[\"" + pattern + "\"]}");
                }
            }, "churner-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        // the fan-out threads may still be writing what the publishers queued last
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.metrics().queuedFrames() == 0);
        assertThat(violations).isEmpty();
        assertThat(received.get()).isGreaterThan((long) EVENTS_PER_PUBLISHER * PUBLISHERS * CONNECTIONS / 3);
        assertThat(hub.metrics().eventsPublished()).isEqualTo((long) PUBLISHERS * EVENTS_PER_PUBLISHER);
        handles.forEach(h -> h.onClosed(1000, "normal"));
        assertThat(hub.admin().connectionCount()).isZero();
        assertThat(hub.metrics().subscriptions()).isZero();
        assertThat(hub.metrics().queuedFrames()).isZero();
        hub.close(Duration.ofSeconds(1));
    }
}
