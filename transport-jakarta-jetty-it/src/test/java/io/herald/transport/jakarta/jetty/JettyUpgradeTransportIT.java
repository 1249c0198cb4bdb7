package io.herald.transport.jakarta.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import io.herald.transport.jakarta.contract.RawClient;
import java.net.URI;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Herald's servlet-upgrade WebSocket ({@link HeraldServletWebSocket}) on Jetty 12.1 (ee10), where the
 * servlet upgrade hands the client's frames to Jetty's HTTP parser: it refuses to serve, saying to use
 * {@code HeraldJettyWebSocket}, rather than accept connections that break at the first frame.
 */
class JettyUpgradeTransportIT {
    private Hub hub;
    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theServletRefusesToServeOnJettyAndRegisteringItThereThrows() throws Exception {
        hub = Hub.builder().node("it").build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(HeraldServletWebSocket.servlet(hub)), "/ws");
        server.setHandler(context);
        server.start();

        assertThatThrownBy(() -> HeraldServletWebSocket.register(context.getServletContext(), hub, "/other"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HeraldJettyWebSocket");
        try (RawClient c = RawClient.connect(URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws"),
                Map.of(), 65_536)) {
            // an unavailable servlet: Jetty answers 404
            assertThat(c.status()).isGreaterThanOrEqualTo(400);
        }
        assertThat(hub.admin().connectionCount()).isZero();
    }
}
