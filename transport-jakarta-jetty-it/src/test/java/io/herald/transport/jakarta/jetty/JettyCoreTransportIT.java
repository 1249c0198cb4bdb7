package io.herald.transport.jakarta.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyWebSocket;
import io.herald.transport.jakarta.contract.RawClient;
import io.herald.transport.jakarta.contract.WebSocketFlowContract;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket contract on embedded Jetty 12 (ee10) with the endpoint on Jetty's core WebSocket API
 * ({@link HeraldJettyWebSocket}), no Jakarta container and no handshake filter: refusals are answered
 * with their HTTP status by the endpoint itself. Driven by the JDK client.
 */
class JettyCoreTransportIT extends WebSocketFlowContract {
    @Override
    protected RunningServer start(Hub hub) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
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

    private RawClient raw() throws IOException {
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 0));
        assertThat(c.status()).isEqualTo(101);
        assertThat(nextText(c)).contains("\"connected\"");
        return c;
    }

    /** @return the next text frame's text, skipping other frames (at most 10, each within 5 s) */
    private static String nextText(RawClient c) throws IOException {
        for (int i = 0; i < 10; i++) {
            RawClient.Frame f = c.read(Duration.ofSeconds(5));
            assertThat(f).as("a frame within 5 s").isNotNull();
            if (f.opcode() == RawClient.TEXT) {
                return f.text();
            }
        }
        throw new AssertionError("no text frame among 10");
    }

    @Test
    void aFragmentedMessageIsPutTogetherBeforeTheHubSeesIt() throws Exception {
        serve(b -> b);
        RawClient c = raw();
        byte[] message = "{\"type\":\"ping\",\"ref\":\"fragments\"}".getBytes(StandardCharsets.UTF_8);
        c.sendFrame(RawClient.TEXT, false, java.util.Arrays.copyOfRange(message, 0, 5));
        c.sendFrame(0, false, java.util.Arrays.copyOfRange(message, 5, 20));
        c.sendFrame(0, true, java.util.Arrays.copyOfRange(message, 20, message.length));
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
}
