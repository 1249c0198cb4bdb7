package io.herald.examples;

import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.spi.Authorizer;
import io.herald.transport.jakarta.HeraldWebSocket;
import io.herald.transport.sse.HeraldSse;
import jakarta.servlet.DispatcherType;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSessionListener;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.ee10.websocket.servlet.WebSocketUpgradeFilter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The embedded demo: one hub (in memory, one node) served by an embedded Jetty 12 (ee10) on one port —
 * the WebSocket endpoint on {@code /ws}, Server-Sent Events on {@code /events} and the dashboard's static
 * files from the classpath folder {@code static/} on {@code /}.
 *
 * <p>The hub outlives the HTTP server: {@link #restartHttp()} stops Jetty (every socket is dropped and
 * the port closed) and starts a new one on the same port in front of the same hub and history.
 */
final class DemoServer implements AutoCloseable {
    static final String WS_PATH = "/ws";
    static final String SSE_PATH = "/events";

    private final ExampleApp app;
    private final Hub hub;
    private final boolean generateTraffic;
    private AutoCloseable traffic;
    private final Object socketsClosed = new Object();
    private volatile JakartaWebSocketContainer sockets;
    private volatile Server server;
    private volatile int port;

    /**
     * @param options the command line
     * @param generateTraffic whether to publish the example's demo traffic
     */
    DemoServer(DemoOptions options, boolean generateTraffic) {
        this(Examples.create(options.example()), options, generateTraffic);
    }

    /**
     * @param app the example to serve, configured as the caller wants it
     * @param options the command line (its {@code example} is not read)
     * @param generateTraffic whether to start the example's background work and demo traffic
     */
    DemoServer(ExampleApp app, DemoOptions options, boolean generateTraffic) {
        this.app = app;
        HubBuilder builder = Hub.builder().node("demo");
        app.configure(builder);
        if (options.open()) {
            builder.authorizer(Authorizer.OPEN);
        }
        this.hub = builder.build();
        this.generateTraffic = generateTraffic;
        this.port = options.port();
    }

    /** Starts the HTTP server, then the traffic. */
    void start() throws Exception {
        server = startJetty(port);
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        if (generateTraffic) {
            traffic = app.startTraffic(hub);
        }
    }

    ExampleApp app() {
        return app;
    }

    /** Stops the HTTP server and starts a new one on the same port; the hub and its history stay. */
    void restartHttp() throws Exception {
        server.stop();
        server = startJetty(port);
    }

    /** Stops only the HTTP server: clients see their connection drop and the port refuse connections. */
    void stopHttp() throws Exception {
        server.stop();
    }

    /** Starts a new HTTP server on the same port after {@link #stopHttp()}. */
    void startHttp() throws Exception {
        server = startJetty(port);
    }

    Hub hub() {
        return hub;
    }

    int port() {
        return port;
    }

    private Server startJetty(int listenPort) throws Exception {
        Server jetty = new Server();
        // on stop, let connections that are still closing finish rather than cutting them
        jetty.setStopTimeout(3_000);
        ServerConnector connector = new ServerConnector(jetty);
        // loopback only: the demo's sign-in has no password, so it must not be reachable from elsewhere
        connector.setHost("127.0.0.1");
        connector.setPort(listenPort);
        connector.setReuseAddress(true);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        jetty.setHandler(context);
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            HeraldWebSocket.register(container, hub, WS_PATH);
            trackSessions(container);
            WebSocketUpgradeFilter.ensureFilter(servletContext);
            FilterHolder holder = new FilterHolder(HeraldWebSocket.handshakeFilter(hub));
            holder.setName("herald-handshake");
            FilterMapping mapping = new FilterMapping();
            mapping.setFilterName("herald-handshake");
            mapping.setPathSpec(WS_PATH);
            mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
            context.getServletHandler().prependFilter(holder);
            context.getServletHandler().prependFilterMapping(mapping);
        });
        mountSse(context);
        Resource statics = ResourceFactory.of(context).newClassLoaderResource("static/");
        if (statics == null) {
            throw new IllegalStateException("the dashboard's files (classpath static/) are missing");
        }
        context.setBaseResource(statics);
        context.setWelcomeFiles(new String[] {"index.html"});
        ServletHolder files = new ServletHolder("default", DefaultServlet.class);
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/");
        jetty.start();
        return jetty;
    }

    private void trackSessions(Object container) {
        if (container instanceof JakartaWebSocketContainer jakarta) {
            sockets = jakarta;
            jakarta.addSessionListener(new JakartaWebSocketSessionListener() {
                @Override
                public void onJakartaWebSocketSessionClosed(JakartaWebSocketSession session) {
                    synchronized (socketsClosed) {
                        socketsClosed.notifyAll();
                    }
                }
            });
        }
    }

    /**
     * Waits until Jetty has finished the close handshakes the hub started, so that stopping Jetty does
     * not cut them (clients would see 1006 instead of 1001).
     */
    /**
     * Closes, on this thread, any WebSocket session the hub's close has not reached yet, so that every client
     * gets {@code 1001 shutdown} before Jetty stops, whatever the timing of the hub's own (asynchronous) closes.
     */
    private void closeRemainingSockets() {
        JakartaWebSocketContainer container = sockets;
        if (container == null) {
            return;
        }
        for (Session session : container.getOpenSessions()) {
            try {
                if (session.isOpen()) {
                    session.close(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "shutdown"));
                }
            } catch (IOException | RuntimeException e) {
                // the session went away meanwhile; nothing left to close
            }
        }
    }

    private void awaitSocketsClosed(Duration deadline) throws InterruptedException {
        JakartaWebSocketContainer container = sockets;
        if (container == null) {
            return;
        }
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (socketsClosed) {
            while (!container.getOpenSessions().isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                socketsClosed.wait(Math.min(left, 50));
            }
        }
    }

    /**
     * Mounts Herald's SSE transport on {@link #SSE_PATH}: {@code GET} streams, {@code POST} subscribe,
     * unsubscribe and publish, for clients where WebSocket is not an option (the browser client falls back
     * to it on its own).
     */
    private void mountSse(ServletContextHandler context) {
        context.addServlet(new ServletHolder("sse", HeraldSse.builder(hub).build().servlet()), SSE_PATH + "/*");
    }

    /** Closes the hub (1001 {@code shutdown} to every client after flushing), then stops Jetty. */
    @Override
    public void close() throws Exception {
        if (traffic != null) {
            traffic.close();
        }
        hub.close(Duration.ofSeconds(2));
        closeRemainingSockets();
        awaitSocketsClosed(Duration.ofSeconds(5));
        Server s = server;
        if (s != null) {
            s.stop();
        }
    }
}
