package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event for many connections is written by the fan-out threads, so the publisher goes on at once and
 * events that arrive meanwhile reach each connection in one send.
 */
class FanoutThreadsTest {
    private static final String SUBSCRIBE = "{\"type\":\"subscribe\",\"topics\":[\"t\"]}";
    private Hub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    /** Records each send's thread and frames; may hold every first send until released. */
    private static class ThreadRecordingTransport implements Transport {
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<List<String>> sends = new CopyOnWriteArrayList<>();
        final CountDownLatch gate;
        final AtomicInteger waiting;

        ThreadRecordingTransport(CountDownLatch gate, AtomicInteger waiting) {
            this.gate = gate;
            this.waiting = waiting;
        }

        @Override
        public Framing framing() {
            return Framing.WEBSOCKET;
        }

        @Override
        public void send(List<OutboundFrame> batch, SendCallback callback) {
            List<String> texts = new ArrayList<>();
            for (OutboundFrame f : batch) {
                texts.add(f.text());
            }
            boolean event = texts.stream().anyMatch(t -> t.contains("\"type\":\"event\""));
            if (event) {
                threads.add(Thread.currentThread().getName());
                sends.add(texts);
                if (gate != null && gate.getCount() > 0) {
                    waiting.incrementAndGet();
                    try {
                        gate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            callback.completed();
        }

        @Override
        public void close(int code, String reason) {
            // nothing to release
        }

        List<String> events() {
            List<String> all = new ArrayList<>();
            sends.forEach(all::addAll);
            return all;
        }
    }

    private List<ThreadRecordingTransport> subscribers(int n, CountDownLatch gate, AtomicInteger waiting) {
        List<ThreadRecordingTransport> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ThreadRecordingTransport t = new ThreadRecordingTransport(gate, waiting);
            ConnectionHandle h = hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), t);
            h.onText(SUBSCRIBE);
            out.add(t);
        }
        return out;
    }

    @Test
    void eventsPublishedWhileTheFanoutThreadsAreBusyReachEachWaitingConnectionInOneSend() {
        hub = Hub.builder().node("ft1").handshakeRate(RateLimit.UNLIMITED).fanoutThreads(2).build();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger waiting = new AtomicInteger();
        List<ThreadRecordingTransport> subs = subscribers(20, gate, waiting);

        hub.publish("t", 0);
        // both fan-out threads are now stuck in a first send; the other 18 writers wait their turn
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() == 2);
        for (int i = 1; i < 5; i++) {
            hub.publish("t", i);
        }
        gate.countDown();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> subs.stream().allMatch(s -> s.events().size() == 5));
        for (ThreadRecordingTransport s : subs) {
            assertThat(s.events()).extracting(FanoutThreadsTest::data).containsExactly("0", "1", "2", "3", "4");
            assertThat(s.threads).allMatch(name -> name.startsWith("herald-fanout-ft1-"));
        }
        long oneSend = subs.stream().filter(s -> s.sends.size() == 1).count();
        assertThat(oneSend).as("connections that got all five events in one send").isEqualTo(18);
    }

    @Test
    void theFirstRecipientsOfALargeFanoutAreWrittenWhileTheLastAreStillBeingQueued() throws Exception {
        CountDownLatch firstSend = new CountDownLatch(1);
        AtomicInteger checks = new AtomicInteger();
        CompletableFuture<Boolean> writtenMeanwhile = new CompletableFuture<>();
        // asked under the publish lock, once per wildcard recipient: the 150th waits for a first write
        Authorizer authorizer = new Authorizer() {
            @Override
            public boolean mayReceive(Principal principal, String topic) {
                if (topic.equals("t.x") && checks.incrementAndGet() == 150) {
                    try {
                        writtenMeanwhile.complete(firstSend.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        writtenMeanwhile.complete(false);
                    }
                }
                return true;
            }
        };
        hub = Hub.builder().node("ft5").handshakeRate(RateLimit.UNLIMITED).fanoutThreads(2).authorizer(authorizer)
                .build();
        List<ThreadRecordingTransport> subs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ThreadRecordingTransport t = new ThreadRecordingTransport(null, new AtomicInteger()) {
                @Override
                public void send(List<OutboundFrame> batch, SendCallback callback) {
                    super.send(batch, callback);
                    if (!sends.isEmpty()) {
                        firstSend.countDown();
                    }
                }
            };
            ConnectionHandle h = hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), t);
            h.onText("{\"type\":\"subscribe\",\"topics\":[\"t.*\"]}");
            subs.add(t);
        }

        hub.publish("t.x", 1);

        assertThat(writtenMeanwhile.get(20, TimeUnit.SECONDS))
                .as("a recipient was written before the 150th of 200 was queued").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> subs.stream().allMatch(s -> s.events().size() == 1));
    }

    @Test
    void everyRecipientOfLargeFanoutsFromTwoPublishersGetsEveryEventOnceInTheSameOrder() throws Exception {
        hub = Hub.builder().node("ft6").handshakeRate(RateLimit.UNLIMITED).fanoutThreads(2).build();
        List<ThreadRecordingTransport> subs = subscribers(150, null, new AtomicInteger());
        Thread[] publishers = new Thread[2];
        for (int p = 0; p < publishers.length; p++) {
            int from = p * 100;
            publishers[p] = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    hub.publish("t", from + i);
                }
            });
            publishers[p].start();
        }
        for (Thread p : publishers) {
            p.join(TimeUnit.SECONDS.toMillis(20));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> subs.stream().allMatch(s -> s.events().size() >= 200));
        List<String> order = subs.get(0).events();
        assertThat(order).doesNotHaveDuplicates().hasSize(200);
        for (ThreadRecordingTransport s : subs) {
            assertThat(s.events()).isEqualTo(order);
        }
    }

    @Test
    void aPublishToAFewConnectionsIsWrittenOnThePublishingThread() {
        hub = Hub.builder().node("ft2").handshakeRate(RateLimit.UNLIMITED).fanoutThreads(2).build();
        List<ThreadRecordingTransport> subs = subscribers(3, null, new AtomicInteger());
        hub.publish("t", "x");
        for (ThreadRecordingTransport s : subs) {
            assertThat(s.threads).containsExactly(Thread.currentThread().getName());
        }
    }

    @Test
    void withoutFanoutThreadsEveryRecipientIsWrittenOnThePublishingThread() {
        hub = Hub.builder().node("ft3").handshakeRate(RateLimit.UNLIMITED).fanoutThreads(0).build();
        List<ThreadRecordingTransport> subs = subscribers(50, null, new AtomicInteger());
        hub.publish("t", "x");
        for (ThreadRecordingTransport s : subs) {
            assertThat(s.threads).containsExactly(Thread.currentThread().getName());
        }
        assertThat(liveThreads("herald-fanout-ft3-")).isZero();
    }

    @Test
    void closingTheHubEndsItsFanoutThreads() {
        hub = Hub.builder().node("ft4").handshakeRate(RateLimit.UNLIMITED).fanoutThreads(3).build();
        assertThat(liveThreads("herald-fanout-ft4-")).isEqualTo(3);
        hub.close(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> liveThreads("herald-fanout-ft4-") == 0);
    }

    @Test
    void aNegativeThreadCountIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Hub.builder().fanoutThreads(-1)).hasMessageContaining("fanoutThreads");
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
                .count();
    }

    private static String data(String eventJson) {
        int at = eventJson.indexOf("\"data\":") + 7;
        int end = eventJson.indexOf(',', at);
        int brace = eventJson.indexOf('}', at);
        return eventJson.substring(at, end < 0 || (brace >= 0 && brace < end) ? brace : end);
    }
}
