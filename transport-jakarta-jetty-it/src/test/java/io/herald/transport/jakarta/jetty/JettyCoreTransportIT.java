package io.herald.transport.jakarta.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyWebSocket;
import io.herald.testing.SelfSignedTls;
import io.herald.transport.jakarta.contract.JdkClient;
import io.herald.transport.jakarta.contract.RawClient;
import io.herald.transport.jakarta.contract.WebSocketFlowContract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;

/**
 * The WebSocket contract on embedded Jetty 12 (ee10) with the endpoint on Jetty's core WebSocket API
 * ({@link HeraldJettyWebSocket}), no Jakarta container and no handshake filter: refusals are answered
 * with their HTTP status by the endpoint itself. Driven by the JDK client.
 */
class JettyCoreTransportIT extends WebSocketFlowContract {
    private static final Pattern EVENT_NUMBER = Pattern.compile("\"n\":(\\d+)");

    /** The TLS connector's certificate, made once. */
    private static SelfSignedTls tls;

    private ServerConnector connector;
    private ServerConnector tlsConnector;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        tls = SelfSignedTls.create(dir);
    }

    @Override
    protected RunningServer start(Hub hub) throws Exception {
        Server server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        // the same endpoint over TLS, where Herald's own frames go through Jetty's TLS endpoint
        SslContextFactory.Server keys = new SslContextFactory.Server();
        keys.setKeyStorePath(tls.keyStore().toString());
        keys.setKeyStorePassword(tls.password());
        keys.setKeyStoreType("PKCS12");
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer(false));
        tlsConnector = new ServerConnector(server, new SslConnectionFactory(keys, "http/1.1"),
                new HttpConnectionFactory(https));
        tlsConnector.setHost("127.0.0.1");
        tlsConnector.setPort(0);
        server.addConnector(tlsConnector);
        ServletContextHandler context = new ServletContextHandler("/");
        server.setHandler(context);
        HeraldJettyWebSocket.register(context, hub, PATH);
        server.start();
        URI uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + PATH);
        return RunningServer.of(uri, server::stop);
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return true;
    }

    // Frame-level behaviour the endpoint implements itself on Jetty's core API (a Jakarta container does it
    // for the Jakarta endpoint): fragments, control frames, UTF-8 validation.

    @Test
    void aSubscriberOverTlsGetsEveryEventOnceInOrderAtEveryFrameLength() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(200)));
        HttpClient https = HttpClient.newBuilder().sslContext(tls.clientContext())
                .connectTimeout(JdkClient.TIMEOUT).build();
        JdkClient c = track(JdkClient.connect(https,
                URI.create("wss://127.0.0.1:" + tlsConnector.getLocalPort() + PATH), Map.of()));
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
    void invalidUtf8ClosesWith1007() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        c.sendFrame(RawClient.TEXT, true, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(5));
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1007);
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

    // Frames go straight to Jetty's endpoint (EndPointWriter); these cover what has to share it with them.

    /** @return the connection id in a {@code connected} frame */
    private static String connectionId(String connected) {
        int at = connected.indexOf("\"connectionId\":\"") + "\"connectionId\":\"".length();
        return connected.substring(at, connected.indexOf('"', at));
    }

    @Test
    void pingsSentWhileEventsWaitForTheSocketAreAnsweredBetweenWholeEventsAndNothingIsLost() throws Exception {
        serve(b -> b.outboundQueue(10_000, 64L * 1024 * 1024));
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 4_096));
        assertThat(nextText(c)).contains("\"connected\"");
        c.sendText("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"feed.**\"]}");
        assertThat(nextText(c)).contains("subscribed");
        String payload = "p".repeat(1_000);
        // the client reads nothing yet: publish until the socket buffers are full and the server's write
        // waits for the socket, then ping: the pongs have to wait for that write
        int events = 0;
        while (events < 50_000 && hub.metrics().queuedFrames() == 0) {
            hub.publish("feed.tick", Map.of("n", events++, "p", payload));
        }
        assertThat(hub.metrics().queuedFrames()).isPositive();
        byte[][] pings = {{1}, {2, 2}, {3, 3, 3}};
        for (byte[] ping : pings) {
            c.sendFrame(RawClient.PING, true, ping);
        }
        int next = 0;
        int pongs = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((next < events || pongs < pings.length) && System.nanoTime() < deadline) {
            RawClient.Frame f = c.read(Duration.ofSeconds(5));
            assertThat(f).as("a frame within 5 s (events %d, pongs %d)", next, pongs).isNotNull();
            if (f.opcode() == RawClient.PONG) {
                assertThat(f.payload()).as("pong %d", pongs).containsExactly(pings[pongs]);
                pongs++;
            } else {
                assertThat(f.opcode()).isEqualTo(RawClient.TEXT);
                assertThat(f.text()).as("event %d", next).containsPattern("\"n\":" + next + "[,}]");
                next++;
            }
        }
        assertThat(next).isEqualTo(events);
        assertThat(pongs).isEqualTo(pings.length);
        c.sendText("{\"type\":\"ping\",\"ref\":\"still-open\"}");
        assertThat(nextText(c)).contains("\"pong\"").contains("still-open");
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
        serve(b -> b);
        RawClient c = raw();
        Thread publisher = streamEvents(c, 20_000);
        try {
            readEvents(c, 100);
            c.sendFrame(RawClient.CLOSE, true, new byte[] {0x03, (byte) 0xE8});
            RawClient.Frame close = c.readUntilClose(Duration.ofSeconds(10));
            assertThat(close).as("the server's close frame").isNotNull();
            assertThat(close.closeCode()).isEqualTo(1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 0);
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
            // a continuation with no message to continue: Jetty ends the connection with 1002
            c.sendFrame(0x0, true, new byte[] {1});
            // every frame up to the close parses (nothing of ours was written into Jetty's close frame) and
            // the events before it arrive in order
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
            // after it nothing but, rarely, the events of a batch flushed in the same instant as Jetty wrote its
            // close, which the core-API writer cannot see coming (EndPointWriter's javadoc): whole frames, still in
            // order, then the end of the connection
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
    void aCloseWaitingForAClientThatStopsReadingEndsTheConnectionAfterTheSendTimeout() throws Exception {
        // the send timeout is one heartbeat (5 s at least); the hub's silence check takes two heartbeats and
        // Jetty's idle timeout four, so only the send timeout can end the connection within 9 s
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
        assertThat(hub.disconnect(id, io.herald.CloseReason.DISCONNECTED)).isTrue();
        await().atMost(Duration.ofSeconds(9)).until(() -> connector.getConnectedEndPoints().isEmpty());
    }
}
