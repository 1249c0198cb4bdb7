package io.herald.benchmarks.load;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyWebSocket;
import io.herald.transport.jakarta.HeraldWebSocket;
import io.herald.transport.sse.HeraldSse;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The server side of the end-to-end benchmarks: Herald's WebSocket endpoint ({@code /ws}) and SSE streams
 * ({@code /events}) on embedded Jetty 12, serving the hub {@link BenchHub} configures. Run as its own JVM so
 * the load generator can read this process's CPU time; prints {@code READY <port>} when up.
 *
 * <p>Usage: {@code BenchServer [port]} (0 or none: a free port). {@code /ws} is the portable
 * Jakarta endpoint ({@link HeraldWebSocket#register}), the one every container runs; {@code -Dbench.ws=core}
 * serves it through Jetty's core WebSocket API instead ({@link HeraldJettyWebSocket}, what we recommend on
 * Jetty when many connections sit idle).
 */
public final class BenchServer {
    private BenchServer() {
    }

    /**
     * @param args optional port
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Hub hub = BenchHub.build();
        Server server = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("sse", HeraldSse.builder(hub).build().servlet()), "/events/*");
        if ("core".equalsIgnoreCase(System.getProperty("bench.ws", "jakarta"))) {
            // the core API's upgrade handler needs the context attached to its server
            server.setHandler(context);
            HeraldJettyWebSocket.register(context, hub, "/ws");
        } else {
            JakartaWebSocketServletContainerInitializer.configure(context,
                    (servletContext, container) -> HeraldWebSocket.register(container, hub, "/ws"));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hub.close(Duration.ofSeconds(2));
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("stopping Jetty failed: " + e);
            }
        }, "bench-server-shutdown"));
        start(server, context, port);
        server.join();
    }

    /**
     * Serves a context on one loopback connector with a deep accept queue (the load generator opens
     * thousands of connections at once), starts the server and prints {@code READY <port>}.
     */
    static void start(Server server, ServletContextHandler context, int port) throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4_096);
        server.addConnector(connector);
        server.setHandler(context);
        server.start();
        System.out.println("READY " + connector.getLocalPort());
        System.out.flush();
    }
}
