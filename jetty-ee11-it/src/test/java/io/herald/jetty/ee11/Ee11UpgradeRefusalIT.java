package io.herald.jetty.ee11;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import io.herald.transport.jakarta.contract.RawClient;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jetty 12.1's ee11 servlet upgrade hands the client's frames to its HTTP parser, as ee10's does (tried in
 * session 19: every test past the handshake failed), so {@link HeraldServletWebSocket} refuses to serve there.
 */
class Ee11UpgradeRefusalIT {
    private Hub hub;
    private Ee11Servers jetty;

    @AfterEach
    void stop() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theServletRefusesToServeOnJettyEe11() throws Exception {
        hub = Hub.builder().node("it").build();
        jetty = Ee11Servers.start(HeraldServletWebSocket.servlet(hub), "/ws", null);
        try (RawClient c = RawClient.connect(URI.create("ws://127.0.0.1:" + jetty.port() + "/ws"), Map.of(), 0)) {
            // a permanently unavailable servlet: Jetty answers 404
            assertThat(c.status()).isEqualTo(404);
        }
        assertThat(hub.admin().connectionCount()).isZero();
    }
}
