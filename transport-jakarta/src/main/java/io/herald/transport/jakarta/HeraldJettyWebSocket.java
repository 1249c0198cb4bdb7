package io.herald.transport.jakarta;

import io.herald.Hub;
import io.herald.transport.jakarta.internal.JettyNegotiator;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.servlet.WebSocketUpgradeFilter;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;

/**
 * Mounts a {@link Hub} on Jetty 12 (ee10) through Jetty's own WebSocket API rather than its Jakarta
 * WebSocket layer. Clients see the same endpoint as with {@link HeraldWebSocket#register}: the same
 * protocol, the {@value HeraldWebSocket#SUBPROTOCOL} subprotocol, the same limits, heartbeats and close
 * codes. What differs is the cost of a connection held open: Jetty's Jakarta layer keeps, for each one, a
 * session with its own decoders and encoders, message-handler bindings and the whole HTTP request of the
 * upgrade, about 9 KiB of heap in all; on Jetty's core API a connection costs its core session and
 * socket, and Herald's own state (see {@code docs/benchmarks.md}). It also writes its frames straight to
 * Jetty's endpoint instead of through Jetty's frame pipeline, which halves the server's CPU per delivered
 * frame. Prefer it on Jetty; the Jakarta registration remains the portable one.
 *
 * <p>Refused handshakes are answered with their HTTP status ({@code 400}, {@code 401} with
 * {@code WWW-Authenticate: Bearer}, {@code 403}, {@code 429} and {@code 503} with {@code Retry-After},
 * {@code 500} when the authenticator fails) before
 * any upgrade, so {@link HeraldWebSocket#handshakeFilter} is not needed; if it is installed in front
 * anyway, its verdict is used and the hub is asked once. The servlet context's path and Jetty's
 * {@code WebSocketUpgradeFilter} serve the endpoint: the filter is added if the context has none. A
 * Jakarta {@code ServerContainer} on the same context may serve other paths.
 *
 * <p>Needs Jetty 12.1 ee10 ({@code jetty-ee10-websocket-servlet}, which brings Jetty's core WebSocket
 * server) at run time; nothing else in this module loads this class.
 */
public final class HeraldJettyWebSocket {
    private HeraldJettyWebSocket() {
    }

    /**
     * Serves a hub's WebSocket endpoint at a path of a servlet context. Call it while the context is being
     * set up, once the context has its server ({@code server.setHandler(context)} or inside Jetty's
     * {@code JakartaWebSocketServletContainerInitializer.configure} callback), before or after it started.
     *
     * @param context the servlet context; it must already belong to a {@link Server}
     * @param hub the hub that admits, serves and closes the connections
     * @param path the endpoint's path inside the context, such as {@code /ws}; must start with {@code /}
     * @throws IllegalArgumentException if an argument is {@code null} or the path does not start with {@code /}
     * @throws IllegalStateException if the context has no server yet, or the path is already mapped
     */
    public static void register(ServletContextHandler context, Hub hub, String path) {
        if (context == null) {
            throw new IllegalArgumentException("context must not be null");
        }
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', was " + path);
        }
        Server server = context.getServer();
        if (server == null) {
            throw new IllegalStateException("the context has no server yet: call server.setHandler(context) first");
        }
        WebSocketServerComponents.ensureWebSocketComponents(server, context);
        WebSocketMappings mappings = WebSocketMappings.ensureMappings(context);
        UriTemplatePathSpec spec = new UriTemplatePathSpec(path);
        if (mappings.getWebSocketNegotiator(spec) != null) {
            throw new IllegalStateException("a WebSocket endpoint is already mapped at " + path);
        }
        mappings.addMapping(spec, new JettyNegotiator(hub));
        WebSocketUpgradeFilter.ensureFilter(context.getServletContext());
    }
}
