package io.herald.transport.jakarta;

import io.herald.Hub;
import io.herald.transport.jakarta.internal.UpgradeServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;

/**
 * Serves a {@link Hub}'s WebSocket endpoint with Herald's own WebSocket implementation, on the servlet
 * API's protocol upgrade ({@code HttpServletRequest.upgrade}, Servlet 6), instead of the container's
 * Jakarta WebSocket layer. Clients see the same endpoint as with {@link HeraldWebSocket#register}: the
 * protocol, the {@value HeraldWebSocket#SUBPROTOCOL} subprotocol, the limits, heartbeats and close codes.
 *
 * <p>Prefer it on Tomcat. Tomcat's WebSocket layer completes every asynchronous send on another thread and
 * writes every frame on its own, so each delivered event costs a socket write and a thread hand-off; here a
 * batch of frames is written into the connection's buffer and flushed once, on the thread that sends it
 * (see {@code docs/transports.md} for the figures). Every refused handshake is answered with its HTTP status
 * before the upgrade, so no handshake filter is needed. On Jetty, {@link HeraldJettyWebSocket} (ee10) or
 * {@link HeraldJettyHandler} (any environment) is faster still, and the only choice: Jetty 12.1's servlet
 * upgrade (ee10 and ee11) hands the client's frames to its HTTP parser, so this servlet refuses to start there
 * (permanently unavailable, with a message that says so) and {@link #register} throws.
 *
 * <p>On the class path it needs only the servlet API at run time (Undertow serves it with nothing else). Frames are never compressed: an offered
 * {@code permessage-deflate} is declined, as RFC 6455 allows.
 */
public final class HeraldServletWebSocket {
    private HeraldServletWebSocket() {
    }

    /**
     * Adds the endpoint's servlet to a context. Call it while the context starts, where servlets may be
     * added: in a {@code ServletContainerInitializer} or a {@code ServletContextListener}.
     *
     * @param context the servlet context
     * @param hub the hub that admits, serves and closes the connections
     * @param path the endpoint's path inside the context, such as {@code /ws}; must start with {@code /}
     * @return the servlet's registration, for more mappings or settings
     * @throws IllegalArgumentException if an argument is {@code null} or the path does not start with {@code /}
     * @throws IllegalStateException if the context has started, already has a servlet of the name
     *     {@code herald-websocket:<path>}, or belongs to Jetty (see the class comment)
     */
    public static ServletRegistration.Dynamic register(ServletContext context, Hub hub, String path) {
        if (context == null) {
            throw new IllegalArgumentException("context must not be null");
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', was " + path);
        }
        String problem = UpgradeServlet.unsupported(context.getServerInfo());
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        String name = "herald-websocket:" + path;
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet(hub));
        if (registration == null) {
            throw new IllegalStateException("the context already has a servlet named " + name);
        }
        registration.addMapping(path);
        registration.setAsyncSupported(true);
        return registration;
    }

    /**
     * The endpoint's servlet, for frameworks that register servlets themselves (Spring Boot's
     * {@code ServletRegistrationBean}, for one). Map it to the endpoint's path.
     *
     * @param hub the hub that admits, serves and closes the connections
     * @return a new servlet
     * @throws IllegalArgumentException if the hub is {@code null}
     */
    public static HttpServlet servlet(Hub hub) {
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        return new UpgradeServlet(hub);
    }
}
