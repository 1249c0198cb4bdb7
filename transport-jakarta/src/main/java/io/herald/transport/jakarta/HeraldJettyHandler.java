package io.herald.transport.jakarta;

import io.herald.Hub;
import io.herald.transport.jakarta.internal.JettyNegotiator;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * Serves a {@link Hub}'s WebSocket endpoint as a Jetty 12 core {@link Handler}, in front of the handler an
 * application already has: the same endpoint as {@link HeraldJettyWebSocket}, with Herald writing its frames
 * straight to Jetty's endpoint, but bound to no servlet environment. Use it on Jetty 12.1's ee11 environment
 * (Spring Boot 4 runs Jetty there), where {@link HeraldJettyWebSocket}, which takes an ee10 context, and
 * {@link HeraldServletWebSocket}, which Jetty's servlet upgrade cannot carry, do not apply.
 *
 * <pre>{@code
 * server.setHandler(HeraldJettyHandler.wrap(hub, "/ws", context));
 * }</pre>
 *
 * <p>A WebSocket handshake for the path is answered here; every other request goes on to {@code next}.
 * Refused handshakes are answered with their HTTP status before any upgrade, as with
 * {@link HeraldJettyWebSocket}. On the class path it needs only Jetty's core WebSocket server
 * ({@code jetty-websocket-core-server}) at run time.
 */
public final class HeraldJettyHandler {
    private HeraldJettyHandler() {
    }

    /**
     * @param hub the hub that admits, serves and closes the connections
     * @param path the endpoint's path, such as {@code /ws}, matched as {@link HeraldJettyWebSocket} matches it
     *     (a URI template): given to the server, the full path as requests carry it (a context path
     *     included); inside a context, the path within it. Must start with {@code /}
     * @param next the handler every other request goes to; {@code null} to answer them 404
     * @return a handler to give the server (or to put where {@code next} was)
     * @throws IllegalArgumentException if the hub is {@code null} or the path does not start with {@code /}
     */
    public static Handler.Wrapper wrap(Hub hub, String path, Handler next) {
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', was " + path);
        }
        UriTemplatePathSpec spec = new UriTemplatePathSpec(path);
        JettyNegotiator negotiator = new JettyNegotiator(hub);
        // mapped at every start: Jetty clears the mappings when the handler stops
        WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler(h -> h.addMapping(spec, negotiator));
        upgrades.setHandler(next);
        return upgrades;
    }
}
