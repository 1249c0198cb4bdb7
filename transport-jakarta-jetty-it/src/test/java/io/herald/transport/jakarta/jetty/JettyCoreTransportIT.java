package io.herald.transport.jakarta.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyWebSocket;
import io.herald.transport.jakarta.contract.RawClient;
import io.herald.transport.jakarta.contract.OwnFramingContract;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;


/**
 * The WebSocket contract on embedded Jetty 12 (ee10) with the endpoint on Jetty's core WebSocket API
 * ({@link HeraldJettyWebSocket}), no Jakarta container and no handshake filter: refusals are answered
 * with their HTTP status by the endpoint itself. Driven by the JDK client.
 */
class JettyCoreTransportIT extends OwnFramingContract {
    private ServerConnector connector;
    private ServerConnector tlsConnector;

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

    @Override
    protected int tlsPort() {
        return tlsConnector.getLocalPort();
    }

    @Override
    protected long openSockets() {
        return connector.getConnectedEndPoints().size();
    }
}
