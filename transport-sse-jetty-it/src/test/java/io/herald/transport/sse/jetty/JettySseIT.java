package io.herald.transport.sse.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.HubListener;
import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.SseBrowserContract;
import io.herald.transport.sse.contract.StalledReader;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The SSE contract on embedded Jetty 12 (ee10), with the servlet from {@link HeraldSse#servlet()} mounted
 * the way a framework that owns routing would, driven by the JDK client and Node's {@code eventsource}.
 * On Jetty the streams' bodies bypass the servlet output once committed, so the contract covers that path.
 */
class JettySseIT extends SseBrowserContract {
    private ServerConnector connector;

    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        Server server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("herald-sse", sse.servlet());
        holder.setAsyncSupported(true);
        context.addServlet(holder, BASE + "/*");
        server.setHandler(context);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + BASE);
        return RunningServer.of(base, server::stop);
    }

    @Test
    void aStreamWhoseWriteStillWaitsForItsClientWhenTheDrainTimeoutEndsLosesItsConnection() throws Exception {
        Map<String, CloseReason> closes = new ConcurrentHashMap<>();
        serve(b -> b.outboundQueue(16, 256 * 1024).drainTimeout(Duration.ofMillis(300)).listener(new HubListener() {
            @Override
            public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
                closes.put(connection.connectionId(), reason);
            }
        }));
        StalledReader slow = track(StalledReader.open(stream("topics=big")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 1);
        String slowId = hub.admin().connections().get(0).connectionId();
        String payload = "x".repeat(32 * 1024);
        long start = System.nanoTime();
        for (int n = 0; !closes.containsKey(slowId) && n < 2_000
                && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60); n++) {
            hub.publish("big", Map.of("n", n, "pad", payload));
        }
        assertThat(closes.get(slowId)).isEqualTo(CloseReason.SLOW_CONSUMER);
        // the client still reads nothing: its connection must go without its help
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.getConnectedEndPoints().isEmpty());
        assertThat(slow.readToEnd(Duration.ofSeconds(5)).end()).isIn("eof", "reset");
    }
}
