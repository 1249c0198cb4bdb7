package io.herald.benchmarks.tomcat;

import io.herald.Hub;
import io.herald.benchmarks.load.BenchHub;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import io.herald.transport.jakarta.HeraldWebSocket;
import io.herald.transport.sse.HeraldSse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * Herald on embedded Tomcat for the end-to-end benchmarks: the same hub as on Jetty ({@link BenchHub}), the
 * portable Jakarta endpoint at {@code /ws} ({@link HeraldWebSocket#register}, what a Tomcat or Spring Boot
 * application runs) and SSE streams at {@code /events} ({@link HeraldSse#register}). Tomcat's defaults
 * otherwise (NIO connector, 200 request threads), except that connections are not capped (Tomcat's NIO
 * connector stops accepting at 8,192; Jetty has no such cap) and the accept queue is as deep as on Jetty.
 * Run as its own JVM, from its own jar (Tomcat and Jetty each bring the servlet and WebSocket APIs and their
 * own default configurator, so they do not share a class path); prints {@code READY <port>} when up.
 *
 * <p>Usage: {@code TomcatBenchServer [port]} (0 or none: a free port). With {@code -Dbench.ws=upgrade},
 * {@code /ws} is Herald's own WebSocket on the servlet upgrade ({@link HeraldServletWebSocket}) instead of
 * the Jakarta endpoint.
 */
public final class TomcatBenchServer {
    private TomcatBenchServer() {
    }

    /**
     * @param args optional port
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Hub hub = BenchHub.build();
        boolean upgrade = "upgrade".equalsIgnoreCase(System.getProperty("bench.ws", "jakarta"));
        HeraldSse sse = HeraldSse.builder(hub).build();
        Path base = Files.createTempDirectory("herald-bench-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("acceptCount", "4096");
        connector.setProperty("maxConnections", "-1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        // Tomcat upgrades in a filter, and runs filters only for a request some servlet is mapped to
        Tomcat.addServlet(context, "default", new DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer((classes, servletContext) -> {
            sse.register(servletContext, "/events");
            if (upgrade) {
                HeraldServletWebSocket.register(servletContext, hub, "/ws");
                return;
            }
            ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
            try {
                HeraldWebSocket.register(container, hub, "/ws");
            } catch (DeploymentException e) {
                throw new IllegalStateException(e);
            }
        }, Set.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hub.close(Duration.ofSeconds(2));
            try {
                tomcat.stop();
                tomcat.destroy();
                deleteTree(base);
            } catch (LifecycleException | IOException e) {
                System.err.println("stopping Tomcat failed: " + e);
            }
        }, "bench-server-shutdown"));
        tomcat.start();
        System.out.println("READY " + connector.getLocalPort());
        System.out.flush();
        tomcat.getServer().await();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
