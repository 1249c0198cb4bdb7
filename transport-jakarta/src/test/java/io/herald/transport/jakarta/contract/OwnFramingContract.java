package io.herald.transport.jakarta.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.CloseReason;
import io.herald.testing.SelfSignedTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame-level behaviour an endpoint must show when Herald reads and writes the WebSocket frames itself
 * (on Jetty's core API, on a servlet container's upgraded connection) rather than a Jakarta container doing
 * it: fragments, control frames, UTF-8 and protocol checks, the close handshake while events stream, and
 * Herald's frames through the container's TLS.
 */
public abstract class OwnFramingContract extends WebSocketFlowContract {
    private static final Pattern EVENT_NUMBER = Pattern.compile("\"n\":(\\d+)");


    /** The certificate of the container's TLS connector, made once per test class. */
    protected static SelfSignedTls tls;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        tls = SelfSignedTls.create(dir);
    }

    /** @return the local port of the container's TLS connector, which serves the endpoint with {@link #tls} */
    protected abstract int tlsPort();

    @Test
    void aSubscriberOverTlsGetsEveryEventOnceInOrderAtEveryFrameLength() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(200)));
        HttpClient https = HttpClient.newBuilder().sslContext(tls.clientContext()).connectTimeout(JdkClient.TIMEOUT)
                .build();
        JdkClient c = track(JdkClient.connect(https, URI.create("wss://127.0.0.1:" + tlsPort() + PATH), Map.of()));
        c.next("connected");
        c.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"t\"]}");
        c.next("subscribed");
        List<String> published = new ArrayList<>();
        List<String> received = new ArrayList<>();
        // frames whose payload length takes the one-, two- and eight-byte forms, one per write
        for (int size : new int[] {10, 200, 70_000}) {
            published.add(hub.publish("t", Map.of("pad", "p".repeat(size))));
            received.add(c.next("event").path("id").asText());
        }
        for (int n = 0; n < 300; n++) {
            // a burst: events that wait for the write in flight leave together, with the heartbeat's pings
            published.add(hub.publish("t", Map.of("n", n, "pad", "p".repeat(n * 7))));
        }
        while (received.size() < published.size()) {
            received.add(c.next("event").path("id").asText());
        }
        assertThat(received).containsExactlyElementsOf(published);
        c.send("{\"type\":\"ping\",\"ref\":\"p\"}");
        assertThat(c.next("pong").path("ref").asText()).isEqualTo("p");
    }

    @Test
    void aFragmentedMessageIsPutTogetherBeforeTheHubSeesIt() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        byte[] message = pingRequest("fragments");
        c.sendFrame(RawClient.TEXT, false, Arrays.copyOfRange(message, 0, 5));
        c.sendFrame(0, false, Arrays.copyOfRange(message, 5, 20));
        c.sendFrame(0, true, Arrays.copyOfRange(message, 20, message.length));
        String answer = nextText(c);
        assertThat(answer).contains("\"pong\"").contains("\"fragments\"");
    }

    @Test
    void aPingIsAnsweredWithItsPayload() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        c.sendFrame(RawClient.PING, true, new byte[] {1, 2, 3});
        RawClient.Frame f = c.read(Duration.ofSeconds(5));
        assertThat(f).isNotNull();
        assertThat(f.opcode()).isEqualTo(RawClient.PONG);
        assertThat(f.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void invalidUtf8ClosesWith1007AndEndsTheConnectionWithoutWaitingForTheSendTimeout() throws Exception {
        // a send timeout of 30 s: a connection still open after 10 s waits for it
        serve(b -> b.heartbeat(Duration.ofSeconds(30)));
        RawClient c = raw();
        c.sendFrame(RawClient.TEXT, true, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1007);
        // the client answers as RFC 6455 asks; the server has failed the connection and ends it
        c.sendFrame(RawClient.CLOSE, true, new byte[] {0x03, (byte) 0xEF});
        assertThat(c.readUntilClose(Duration.ofSeconds(10))).as("nothing after the close frame").isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.admin().connectionCount() == 0);
    }

    @Test
    void fragmentsAboveTheHubsLimitTogetherCloseWith1009() throws Exception {
        serve(b -> b.maxFrameBytes(1_024));
        RawClient c = raw();
        byte[] part = "x".repeat(600).getBytes(StandardCharsets.UTF_8);
        c.sendFrame(RawClient.TEXT, false, part);
        c.sendFrame(0, true, part);
        RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1009);
        assertThat(close.closeReason()).isEqualTo("too-large");
    }

    /**
     * Subscribes the client to {@code feed.**} and starts a thread that publishes {@code {"n":i}} events there,
     * at most {@code events}, while any connection is open; join it at the end of the test.
     */
    private Thread streamEvents(RawClient c, int events) throws IOException {
        c.sendText("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"feed.**\"]}");
        assertThat(nextText(c)).contains("subscribed");
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < events && hub.admin().connectionCount() > 0; i++) {
                hub.publish("feed.tick", Map.of("n", i));
            }
        });
        publisher.start();
        return publisher;
    }

    private static void readEvents(RawClient c, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            assertThat(c.read(Duration.ofSeconds(5))).as("event %d", i).isNotNull();
        }
    }

    @Test
    void aClientsCloseWhileEventsStreamIsAnsweredWithAClose() throws Exception {
        List<CloseReason> reasons = new CopyOnWriteArrayList<>();
        serve(b -> b.listener(closesInto(reasons)));
        RawClient c = raw();
        Thread publisher = streamEvents(c, 20_000);
        try {
            readEvents(c, 100);
            // 1001 "bye"
            c.sendFrame(RawClient.CLOSE, true, new byte[] {0x03, (byte) 0xE9, 'b', 'y', 'e'});
            RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(10));
            assertThat(close).as("the server's close frame").isNotNull();
            assertThat(close.closeCode()).isEqualTo(1001);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 0);
            // the hub heard why the client left, not that a send failed on the closing connection
            await().atMost(Duration.ofSeconds(5)).until(() -> !reasons.isEmpty());
            assertThat(reasons).containsExactly(new CloseReason(1001, "bye"));
        } finally {
            publisher.join(30_000);
        }
    }

    @Test
    void aProtocolErrorWhileEventsStreamIsAnsweredWithA1002CloseAfterWholeFrames() throws Exception {
        // a queue that holds every event, so the client cannot be cut as a slow consumer first
        serve(b -> b.outboundQueue(250_000, 64L * 1024 * 1024));
        RawClient c = raw();
        Thread publisher = streamEvents(c, 200_000);
        try {
            readEvents(c, 100);
            // a continuation with no message to continue: the connection ends with 1002
            c.sendFrame(0x0, true, new byte[] {1});
            // every frame up to the close parses (no frame was written into another) and the events before it
            // arrive in order
            int next = -1;
            RawClient.Frame f = c.read(Duration.ofSeconds(10));
            while (f != null && f.opcode() == RawClient.TEXT) {
                int n = eventNumber(f);
                assertThat(n).as("events in order").isGreaterThan(next);
                next = n;
                f = c.read(Duration.ofSeconds(10));
            }
            assertThat(f).as("the server's close frame").isNotNull();
            assertThat(f.opcode()).isEqualTo(RawClient.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1002);
            // after it nothing but, on Jetty's core API, rarely the events of a batch flushed in the same instant
            // as Jetty wrote its close, which its writer cannot see coming (EndPointWriter's javadoc): whole
            // frames, still in order, then the end of the connection
            for (int late = 0; late <= 200_000; late++) {
                RawClient.Frame after;
                try {
                    after = c.read(Duration.ofSeconds(2));
                } catch (IOException e) {
                    after = null;
                }
                if (after == null) {
                    break;
                }
                assertThat(after.opcode()).as("a frame after the close frame: only a late event").isEqualTo(
                        RawClient.TEXT);
                int n = eventNumber(after);
                assertThat(n).as("late events in order").isGreaterThan(next);
                next = n;
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 0);
        } finally {
            publisher.join(30_000);
        }
    }

    /** @return the number {@link #streamEvents} gave a whole event frame */
    private static int eventNumber(RawClient.Frame f) {
        Matcher m = EVENT_NUMBER.matcher(f.text());
        assertThat(m.find()).as("an event: %s", f.text()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void anUnmaskedFrameClosesWith1002() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        c.sendUnmasked(RawClient.TEXT, pingRequest("unmasked"));
        RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1002);
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 0);
    }

    @Test
    void aFrameWithAReservedBitOrOpcodeClosesWith1002() throws Exception {
        serve(b -> b);
        RawClient reservedBit = raw();
        reservedBit.sendFrame(RawClient.TEXT | 0x40, true, pingRequest("rsv1"));
        RawClient.Frame close = reservedBit.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1002);
        RawClient reservedOpcode = raw();
        reservedOpcode.sendFrame(0x3, true, new byte[] {1});
        close = reservedOpcode.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    @Test
    void aPingBetweenTheFragmentsOfAMessageIsAnsweredAndTheMessageStillArrives() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        byte[] message = pingRequest("around-a-ping");
        c.sendFrame(RawClient.TEXT, false, Arrays.copyOfRange(message, 0, 7));
        c.sendFrame(RawClient.PING, true, new byte[] {9});
        c.sendFrame(RawClient.CONTINUATION, true, Arrays.copyOfRange(message, 7, message.length));
        RawClient.Frame pong = c.read(Duration.ofSeconds(5));
        assertThat(pong).isNotNull();
        assertThat(pong.opcode()).isEqualTo(RawClient.PONG);
        assertThat(pong.payload()).containsExactly(9);
        assertThat(nextText(c)).contains("\"pong\"").contains("around-a-ping");
    }

    @Test
    void aCloseWithoutACodeIsAnsweredWithoutOne() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        c.sendFrame(RawClient.CLOSE, true, new byte[0]);
        RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.payload()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 0);
    }

    @Test
    void aCloseWithACodeNoEndpointMaySendClosesWith1002() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        // 1005 means "no code" and must never be sent
        c.sendFrame(RawClient.CLOSE, true, new byte[] {0x03, (byte) 0xED});
        RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    /**
     * @return how many sockets the container holds open, of any client (on Tomcat, plus one for the
     *     connection its acceptor waits for)
     */
    protected abstract long openSockets();

    @Test
    void aCloseWaitingForAClientThatStopsReadingEndsItsSocketAfterTheSendTimeout() throws Exception {
        // the send timeout is one heartbeat (5 s at least); the hub's silence checks take three heartbeats or more and
        // a container's idle timeout, where it has one, four: only the send timeout ends the socket within 9 s
        serve(b -> b.heartbeat(Duration.ofSeconds(5)).drainTimeout(Duration.ofMillis(200))
                .outboundQueue(10_000, 64L * 1024 * 1024));
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 4_096));
        String id = connectionId(nextText(c));
        c.sendText("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"feed.**\"]}");
        assertThat(nextText(c)).contains("subscribed");
        String payload = "p".repeat(1_000);
        // until the socket buffers are full and frames wait in the hub
        for (int i = 0; i < 50_000 && hub.metrics().queuedFrames() == 0; i++) {
            hub.publish("feed.tick", Map.of("n", i, "p", payload));
        }
        assertThat(hub.metrics().queuedFrames()).isPositive();
        long open = openSockets();
        assertThat(open).isPositive();
        assertThat(hub.disconnect(id, CloseReason.DISCONNECTED)).isTrue();
        await().atMost(Duration.ofSeconds(9)).until(() -> openSockets() == open - 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.admin().connectionCount() == 0);
    }

    /** @return the connection id in a {@code connected} frame */
    protected static String connectionId(String connected) {
        int at = connected.indexOf("\"connectionId\":\"") + "\"connectionId\":\"".length();
        return connected.substring(at, connected.indexOf('"', at));
    }
}
