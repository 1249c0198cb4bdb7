package io.herald.transport.jakarta.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.HubListener;
import io.herald.testing.NodeClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The contract's time-dependent half: heartbeats and idle timeouts, a client that stops reading, graceful
 * shutdown and resume. Container test classes extend this class (and so the whole contract).
 */
public abstract class WebSocketFlowContract extends WebSocketTransportContract {
    private static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void aClientThatAnswersNoPingIsClosedForIdlenessWhileOneThatPongsStays() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(300)));
        JdkClient ponging = client();
        RawClient silent = track(RawClient.connect(server.uri(), Map.of(), 0));
        assertThat(silent.status()).isEqualTo(101);
        AtomicInteger pings = new AtomicInteger();
        RawClient.Frame f = silent.readUntilClose(Duration.ofSeconds(10), frame -> {
            if (frame.opcode() == RawClient.PING) {
                pings.incrementAndGet();
            }
        });
        assertThat(f).isNotNull();
        assertThat(f.closeCode()).isEqualTo(1000);
        assertThat(f.closeReason()).isEqualTo("idle-timeout");
        assertThat(pings.get()).as("keep-alives before the close").isPositive();
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).until(() -> !ponging.isClosed());
        ponging.send("{\"type\":\"ping\",\"ref\":\"still-here\"}");
        assertThat(ponging.next("pong").path("ref").asText()).isEqualTo("still-here");
    }

    @Test
    void aClientThatStopsReadingIsCutWhileAFastOneGetsEveryEvent(TestReporter reporter) throws Exception {
        List<CloseReason> closes = new CopyOnWriteArrayList<>();
        serve(b -> b.outboundQueue(64, 64 * 1024).listener(closesInto(closes)));
        RawClient slow = feedSubscriberThatReadsLittle();
        JdkClient fast = client();
        fast.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"feed.**\"]}");
        fast.next("subscribed");

        String payload = "p".repeat(1_000);
        List<Integer> received = new ArrayList<>();
        int published = 0;
        long maxQueued = 0;
        long deadline = System.nanoTime() + LONG.toNanos();
        while (hub.metrics().slowConsumerDisconnects() == 0 && published < 50_000 && System.nanoTime() < deadline) {
            for (int i = 0; i < 32; i++) {
                hub.publish("feed.tick", Map.of("n", published++, "p", payload));
            }
            maxQueued = Math.max(maxQueued, hub.metrics().queuedFrames());
            while (received.size() < published) {
                received.add(fast.next("event").path("data").path("n").asInt());
            }
        }
        assertThat(hub.metrics().slowConsumerDisconnects()).as("slow consumers cut").isEqualTo(1);
        assertThat(maxQueued).as("frames queued in the hub at once").isLessThanOrEqualTo(2L * 64 + 2);
        for (int chunk = 0; chunk < 3; chunk++) {
            for (int i = 0; i < 32; i++) {
                hub.publish("feed.tick", Map.of("n", published++, "p", payload));
            }
            while (received.size() < published) {
                received.add(fast.next("event").path("data").path("n").asInt());
            }
        }
        for (int i = 0; i < received.size(); i++) {
            assertThat(received.get(i)).as("event %d", i).isEqualTo(i);
        }
        assertThat(fast.isClosed()).isFalse();
        assertThat(closes).containsExactly(CloseReason.SLOW_CONSUMER);
        assertThat(hub.admin().connectionCount()).isEqualTo(1);

        // a ping while the close waits for the write in flight must not change the close code
        slow.sendFrame(RawClient.PING, true, new byte[] {1, 2});
        RawClient.Frame close = slow.readUntilClose(LONG);
        reporter.publishEntry("slowClientSaw", close == null ? "connection ended without a close frame"
                : close.closeCode() + " " + close.closeReason());
        if (close != null) {
            assertThat(close.closeCode()).isEqualTo(1013);
            assertThat(close.closeReason()).isEqualTo("slow-consumer");
        }
    }

    /**
     * @return whether the container's own send timeout fails a write the client does not read (Jetty's and
     *     Tomcat's Jakarta containers), which then ends such a client before the hub's stall check does
     */
    protected boolean containerTimesOutStalledSends() {
        return false;
    }

    @Test
    void aClientThatStopsReadingButKeepsSendingPongsIsCutAsASlowConsumer() throws Exception {
        // a queue that holds every event, so the client is never cut for overflowing it, and pongs that keep the
        // hub's silence checks quiet: only writes that stop completing let the client go (the container's send
        // timeout, where it has one that works, or the hub's: two heartbeats without a completed send, plus the
        // time the batch in flight takes at 8 KiB/s, under 5 s for these small events)
        List<CloseReason> closes = new CopyOnWriteArrayList<>();
        serve(b -> b.heartbeat(Duration.ofSeconds(5)).outboundQueue(500_000, 256L * 1024 * 1024)
                .listener(closesInto(closes)));
        RawClient c = feedSubscriberThatReadsLittle();
        String payload = "p".repeat(50);
        // about 20 MB: more than the socket buffers and the container's hold, so frames wait in the hub
        for (int i = 0; i < 150_000; i++) {
            hub.publish("feed.tick", Map.of("n", i, "p", payload));
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> hub.metrics().queuedFrames() > 0);
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try {
                c.sendFrame(RawClient.PONG, true, new byte[0]);
            } catch (IOException e) {
                // the server ended the socket
            }
            return !closes.isEmpty();
        });
        if (containerTimesOutStalledSends()) {
            // the hub hears of a failed write, or of the container's error
            assertThat(closes).singleElement().extracting(CloseReason::reason).isIn("write-failed",
                    "transport-error");
        } else {
            assertThat(closes).containsExactly(CloseReason.SLOW_CONSUMER);
            assertThat(hub.metrics().slowConsumerDisconnects()).isEqualTo(1);
        }
        assertThat(hub.admin().connectionCount()).isZero();
        // the socket ends too: the client reads what was written, then the end or a close frame
        c.readUntilClose(LONG);
    }

    @Test
    void shutdownDeliversQueuedEventsThenCloses1001() throws Exception {
        serve(b -> b);
        JdkClient c = client();
        c.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"news.*\"]}");
        c.next("subscribed");
        for (int i = 0; i < 200; i++) {
            hub.publish("news.item", Map.of("n", i));
        }
        hub.close(Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            assertThat(c.next("event").path("data").path("n").asInt()).isEqualTo(i);
        }
        assertThat(c.awaitClose()).isEqualTo(new JdkClient.Close(1001, "shutdown"));
    }

    @Test
    void closingTheHubThenStoppingTheServerAtOnceStillClosesEveryClientWith1001() throws Exception {
        serve(b -> b);
        List<JdkClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            JdkClient c = client();
            c.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"news.*\"]}");
            c.next("subscribed");
            clients.add(c);
        }
        // writes still in flight when the hub closes: each close frame waits for them
        String text = "x".repeat(2_000);
        for (int i = 0; i < 50; i++) {
            hub.publish("news.item", Map.of("n", i, "text", text));
        }
        hub.close(Duration.ofSeconds(5));
        RunningServer stopping = server;
        server = null;
        stopping.close();
        for (JdkClient c : clients) {
            for (int i = 0; i < 50; i++) {
                assertThat(c.next("event").path("data").path("n").asInt()).isEqualTo(i);
            }
            assertThat(c.awaitClose()).isEqualTo(new JdkClient.Close(1001, "shutdown"));
        }
    }

    @Test
    void aClientResumingWithSinceGetsWhatItMissedWithoutGapOrDuplicate() throws Exception {
        serve(b -> b);
        JdkClient first = client();
        first.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"task.*\"]}");
        first.next("subscribed");
        String lastId = null;
        for (int i = 1; i <= 3; i++) {
            hub.publish("task.step", Map.of("n", i));
            lastId = first.next("event").path("id").asText();
        }
        first.abort();
        for (int i = 4; i <= 6; i++) {
            hub.publish("task.step", Map.of("n", i));
        }
        JdkClient again = client();
        again.send("{\"type\":\"subscribe\",\"ref\":\"r\",\"topics\":[\"task.*\"],\"since\":\"" + lastId + "\"}");
        assertThat(again.next("subscribed").path("recovered").asBoolean()).isTrue();
        hub.publish("task.step", Map.of("n", 7));
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(again.next("event").path("data").path("n").asInt());
        }
        assertThat(seen).containsExactly(4, 5, 6, 7);
        assertThat(again.poll(Duration.ofMillis(200))).as("nothing more").isNull();
    }

    @Test
    void aNodeWsClientSubscribesWithAPatternAndResumes() throws Exception {
        NodeClient node = NodeClient.locate("ws@8");
        serve(b -> b);
        try (NodeClient.Run run = node.run("herald-client.mjs", server.uri().toString())) {
            run.expect("SUBSCRIBED");
            String id = hub.publish("news.tech.java", Map.of("n", 1));
            assertThat(run.expect("EVENT")).isEqualTo("EVENT " + id + " 1");
            run.expect("CLOSED");
            hub.publish("news.tech.kotlin", Map.of("n", 2));
            hub.publish("sports.results", Map.of("n", 99));
            hub.publish("news.world", Map.of("n", 3));
            run.send("GO");
            assertThat(run.expect("RESUMED")).isEqualTo("RESUMED recovered=true n=2,3");
            assertThat(run.exitCode()).isZero();
        }
    }

    /**
     * Requests a client sends without waiting for answers are answered together on Jetty (the endpoint counts
     * the bytes of the messages it has handled against those Jetty read, and the hub holds its writes
     * meanwhile). Whatever throws that count off must not lose, delay for good or reorder an answer, in any
     * container: lengths in a longer form than needed, a control frame and a fragmented message among the
     * requests, a read that ends inside a frame.
     */
    @Test
    void pipelinedRequestsAreAllAnsweredInOrderHoweverTheyAreFramedAndWhereverTheReadsEnd() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        int requests = 40;
        for (int i = 0; i < requests; i++) {
            byte[] request = pingRequest("r" + i);
            if (i == 10) {
                batch.writeBytes(c.frame(RawClient.PING, true, new byte[] {7}, false));
            }
            if (i == 20) {
                batch.writeBytes(c.frame(RawClient.TEXT, false, Arrays.copyOfRange(request, 0, 9), true));
                batch.writeBytes(c.frame(0, true, Arrays.copyOfRange(request, 9, request.length), false));
            } else {
                batch.writeBytes(c.frame(RawClient.TEXT, true, request, i % 3 == 0));
            }
        }
        byte[] all = batch.toByteArray();
        byte[] last = c.frame(RawClient.TEXT, true, pingRequest("end"), false);
        // everything but the last frame's second half in one write: Jetty has read part of a frame it cannot
        // hand over yet, so the requests before it look followed by more
        byte[] first = Arrays.copyOf(all, all.length + last.length / 2);
        System.arraycopy(last, 0, first, all.length, last.length / 2);
        c.sendBytes(first);
        boolean ponged = false;
        for (int i = 0; i < requests; ) {
            RawClient.Frame f = c.read(Duration.ofSeconds(5));
            assertThat(f).as("answer %d within 5 s", i).isNotNull();
            if (f.opcode() == RawClient.PONG) {
                assertThat(ponged).isFalse();
                assertThat(f.payload()).containsExactly(7);
                ponged = true;
                continue;
            }
            assertThat(f.text()).as("answer %d", i).contains("\"pong\"").contains("\"ref\":\"r" + i + "\"");
            i++;
        }
        assertThat(ponged).isTrue();
        c.sendBytes(Arrays.copyOfRange(last, last.length / 2, last.length));
        assertThat(nextText(c)).contains("\"ref\":\"end\"");
        // and the last request of a batch given in a longer length form than needed
        ByteArrayOutputStream longer = new ByteArrayOutputStream();
        longer.writeBytes(c.frame(RawClient.TEXT, true, pingRequest("x"), false));
        longer.writeBytes(c.frame(RawClient.TEXT, true, pingRequest("y"), true));
        c.sendBytes(longer.toByteArray());
        assertThat(nextText(c)).contains("\"ref\":\"x\"");
        assertThat(nextText(c)).contains("\"ref\":\"y\"");
    }

    /** @return a listener that adds the reason of each connection's end to {@code closes} */
    protected static HubListener closesInto(List<CloseReason> closes) {
        return new HubListener() {
            @Override
            public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
                closes.add(reason);
            }
        };
    }

    /**
     * @return a frame-level client with a 4 KiB receive buffer, subscribed to {@code feed.**}, that reads only
     *     what the test reads
     */
    protected RawClient feedSubscriberThatReadsLittle() throws IOException {
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 4_096));
        assertThat(c.read(JdkClient.TIMEOUT).text()).contains("connected");
        c.sendText("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"feed.**\"]}");
        assertThat(c.read(JdkClient.TIMEOUT).text()).contains("subscribed");
        return c;
    }

    /** @return a frame-level client that has read its {@code connected} frame */
    protected RawClient raw() throws IOException {
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 0));
        assertThat(c.status()).isEqualTo(101);
        assertThat(nextText(c)).contains("\"connected\"");
        return c;
    }

    /** @return the next text frame's text, skipping other frames (at most 10, each within 5 s) */
    protected static String nextText(RawClient c) throws IOException {
        for (int i = 0; i < 10; i++) {
            RawClient.Frame f = c.read(Duration.ofSeconds(5));
            assertThat(f).as("a frame within 5 s").isNotNull();
            if (f.opcode() == RawClient.TEXT) {
                return f.text();
            }
        }
        throw new AssertionError("no text frame among 10");
    }

    /** @return a {@code ping} request with this ref, as UTF-8 */
    protected static byte[] pingRequest(String ref) {
        return ("{\"type\":\"ping\",\"ref\":\"" + ref + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
