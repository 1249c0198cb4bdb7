package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keep-alives on containers whose {@code sendPing} blocks while a text send of the same session is in flight
 * (Tomcat, for its blocking send timeout): clients that stopped reading must not tie up the ping threads that
 * healthy clients' keep-alives need.
 */
class KeepAliveSchedulingTest {
    private final List<TomcatLikeRemote> remotes = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void release() {
        gate.countDown();
        remotes.forEach(TomcatLikeRemote::completeStalledText);
    }

    @Test
    void clientsThatStoppedReadingNeverHoldThePingThreadsAHealthyClientsKeepAliveNeeds() {
        ControlThreads control = new ControlThreads("keep-alive-test");
        // every ping thread busy for a moment, so the keep-alives below wait in the queue as they would
        // behind other sessions' pings
        for (int i = 0; i < ControlThreads.THREADS; i++) {
            control.ping(this::awaitGate);
        }
        List<TomcatLikeRemote> stalled = new ArrayList<>();
        for (int i = 0; i < ControlThreads.THREADS; i++) {
            TomcatLikeRemote r = remote(false);
            stalled.add(r);
            new WebSocketTransport(session(r), control).send(List.of(OutboundFrame.PING, event()), new Ignored());
        }
        TomcatLikeRemote healthy = remote(true);

        gate.countDown();
        new WebSocketTransport(session(healthy), control).send(List.of(OutboundFrame.PING), new Ignored());

        await().atMost(Duration.ofSeconds(3)).until(() -> healthy.calls.contains("ping"));
        for (TomcatLikeRemote r : stalled) {
            await().atMost(Duration.ofSeconds(3)).until(() -> r.calls.size() == 2);
            assertThat(r.calls).as("the keep-alive, then the rest of the batch").containsExactly("ping", "text");
            assertThat(r.pingsDuringAText).as("pings sent while a text send was in flight").isZero();
        }
    }

    @Test
    void aKeepAliveThatCannotBeWrittenFailsItsBatchSoTheHubLetsTheConnectionGoAtOnce() {
        ControlThreads control = new ControlThreads("failed-ping");
        TomcatLikeRemote broken = remote(true);
        broken.pingFailure = new java.io.IOException("Broken pipe");
        java.util.concurrent.CompletableFuture<Throwable> failed = new java.util.concurrent.CompletableFuture<>();

        new WebSocketTransport(session(broken), control).send(List.of(OutboundFrame.PING, event()), new SendCallback() {
            @Override
            public void completed() {
                failed.complete(null);
            }

            @Override
            public void failed(Throwable error) {
                failed.complete(error);
            }
        });

        assertThat(failed).succeedsWithin(Duration.ofSeconds(3)).isSameAs(broken.pingFailure);
        // the close goes to the close threads, not the ping thread that serves every session's keep-alive
        await().atMost(Duration.ofSeconds(3)).until(() -> broken.calls.contains("close"));
        assertThat(broken.calls).as("nothing is written after the failed keep-alive, and the session is closed")
                .containsExactly("close");
        assertThat(broken.closeThread).startsWith("herald-ws-close");
    }

    @Test
    void closingASessionWithNothingInFlightDoesNotWaitBehindClosesStuckOnClientsThatStoppedReading() {
        ControlThreads control = new ControlThreads("close-lanes");
        for (int i = 0; i < ControlThreads.THREADS + 2; i++) {
            WebSocketTransport stuck = new WebSocketTransport(session(remote(false)), control);
            stuck.send(List.of(event()), new Ignored());
            stuck.close(1013, "slow-consumer");
        }
        TomcatLikeRemote idle = remote(true);

        new WebSocketTransport(session(idle), control).close(1000, "idle-timeout");

        await().atMost(Duration.ofSeconds(3)).until(() -> idle.calls.contains("close"));
    }

    @Test
    void everyConnectionsKeepAliveIsTakenEvenWhenMoreWaitThanAnyFixedQueueWouldHold() {
        ControlThreads control = new ControlThreads("many-keep-alives");
        for (int i = 0; i < ControlThreads.THREADS; i++) {
            control.ping(this::awaitGate);
        }
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        int waiting = 100_000;
        for (int i = 0; i < waiting; i++) {
            control.ping(ran::incrementAndGet);
        }
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == waiting);
    }

    private void awaitGate() {
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private TomcatLikeRemote remote(boolean reading) {
        TomcatLikeRemote r = new TomcatLikeRemote(reading);
        remotes.add(r);
        return r;
    }

    private static OutboundFrame event() {
        return OutboundFrame.message("{\"type\":\"event\"}".getBytes(StandardCharsets.UTF_8), true);
    }

    /** A session that answers only what the transport asks of it: its remote and its id. */
    private static Session session(RemoteEndpoint.Async remote) {
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> remote;
                    case "isOpen" -> true;
                    case "close" -> {
                        ((TomcatLikeRemote) remote).close();
                        yield null;
                    }
                    case "getId" -> "s" + System.identityHashCode(remote);
                    case "toString" -> "session of " + remote;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /**
     * Writes like Tomcat's asynchronous remote: a text send to a reading client completes at once, to a client
     * that stopped reading never (until the test releases it), and {@code sendPing} blocks while a text send is
     * in flight, here for at most 30 s (Tomcat: the blocking send timeout, 25 s by Herald's default).
     */
    private static final class TomcatLikeRemote implements RemoteEndpoint.Async {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile int pingsDuringAText;
        private final boolean reading;
        private final CountDownLatch textDone = new CountDownLatch(1);
        private volatile SendHandler stalledText;
        volatile java.io.IOException pingFailure;
        /** The name of the thread that closed the session. */
        volatile String closeThread;

        TomcatLikeRemote(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void sendText(String text, SendHandler handler) {
            calls.add("text");
            if (reading) {
                handler.onResult(new SendResult());
            } else {
                stalledText = handler;
            }
        }

        @Override
        public void sendPing(ByteBuffer applicationData) throws java.io.IOException {
            if (pingFailure != null) {
                throw pingFailure;
            }
            if (stalledText != null) {
                pingsDuringAText++;
                try {
                    textDone.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            calls.add("ping");
        }

        void completeStalledText() {
            textDone.countDown();
        }

        /** Like Tomcat's {@code Session.close}: its close frame waits for a text send in flight. */
        void close() {
            if (stalledText != null) {
                try {
                    textDone.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeThread = Thread.currentThread().getName();
            calls.add("close");
        }

        @Override
        public long getSendTimeout() {
            return 0;
        }

        @Override
        public void setSendTimeout(long timeoutMillis) {
        }

        @Override
        public Future<Void> sendText(String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> sendBinary(ByteBuffer data) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendBinary(ByteBuffer data, SendHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> sendObject(Object data) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendObject(Object data, SendHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setBatchingAllowed(boolean allowed) {
        }

        @Override
        public boolean getBatchingAllowed() {
            return false;
        }

        @Override
        public void flushBatch() {
        }

        @Override
        public void sendPong(ByteBuffer applicationData) {
            throw new UnsupportedOperationException();
        }
    }

    /** The hub's side of a send, which this test does not look at. */
    private static final class Ignored implements SendCallback {
        @Override
        public void completed() {
        }

        @Override
        public void failed(Throwable error) {
        }
    }
}
