package io.herald.transport.jakarta;

import io.herald.Hub;
import io.herald.transport.jakarta.internal.HandshakeFilter;
import io.herald.transport.jakarta.internal.HeraldConfigurator;
import io.herald.transport.jakarta.internal.HeraldEndpoint;
import jakarta.servlet.Filter;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Mounts a {@link Hub} as a Jakarta WebSocket endpoint. Three ways, from the shortest:
 *
 * <ol>
 *   <li>{@link #register(ServerContainer, Hub, String)} in the container's {@code ServerContainer}
 *       (Jetty, Tomcat, GlassFish, Spring's {@code ServerEndpointExporter});</li>
 *   <li>{@link #endpointConfig(Hub, String)}, a {@code ServerEndpointConfig} the application adds itself
 *       (for example from a {@code ServerApplicationConfig}; on a Tyrus server you build yourself, use
 *       {@code HeraldTyrusServer.endpointConfig} instead, see there);</li>
 *   <li>the {@code herald-transport-jakarta-tyrus} module's standalone server, for applications without a
 *       container.</li>
 * </ol>
 *
 * <p>The hub judges every handshake ({@code ConnectionGateway.admit}) before the upgrade. In a servlet
 * container, add {@link #handshakeFilter(Hub)} in front of the endpoint so that refusals are answered with
 * their HTTP status (400, 401, 403, 429, 503, or 500 when the authenticator fails) and the hub sees the client's real address; without the filter a
 * forbidden {@code Origin} is still answered 403 (the configurator's {@code checkOrigin}), and any other
 * refused client is upgraded and then closed at once with the refusal's close code (1008, 1013, 1001, 1011)
 * before any frame. {@code docs/transports.md} describes each container.
 *
 * <p>The subprotocol {@value #SUBPROTOCOL} is selected when the client offers it; a client that offers
 * none is served the same way. Thread-safe; every method may be called from any thread.
 */
public final class HeraldWebSocket {
    /** The subprotocol selected when the client offers it: {@value}. */
    public static final String SUBPROTOCOL = "herald.v1";

    private HeraldWebSocket() {
    }

    /**
     * Builds the endpoint configuration for a hub. Each call makes an independent configuration; add it to
     * one container once.
     *
     * @param hub the hub that admits, serves and closes the connections
     * @param path the endpoint's path inside the web application, such as {@code /ws}; must start with
     *     {@code /}
     * @return the configuration, with the {@value #SUBPROTOCOL} subprotocol and Herald's configurator
     * @throws IllegalArgumentException if the hub is {@code null} or the path does not start with {@code /}
     */
    public static ServerEndpointConfig endpointConfig(Hub hub, String path) {
        return endpointConfig(hub, path, true);
    }

    /**
     * Builds the endpoint configuration as {@link #endpointConfig(Hub, String)} does, choosing whether a
     * forbidden {@code Origin} is refused with 403 before the upgrade (the configurator's {@code checkOrigin}).
     * Pass {@code false} only for a container whose 403 there is unusable: Tyrus on Grizzly answers it with no
     * {@code Content-Length} and keeps the connection open ({@code HeraldTyrusServer.endpointConfig} does).
     * The hub's verdict refuses the Origin either way, after the upgrade with {@code 1008 forbidden-origin}.
     *
     * @param hub the hub that admits, serves and closes the connections
     * @param path the endpoint's path, starting with {@code /}
     * @param originBeforeUpgrade whether {@code checkOrigin} refuses a forbidden Origin
     * @return the configuration
     * @throws IllegalArgumentException if the hub is {@code null} or the path does not start with {@code /}
     */
    public static ServerEndpointConfig endpointConfig(Hub hub, String path, boolean originBeforeUpgrade) {
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', was " + path);
        }
        return ServerEndpointConfig.Builder.create(HeraldEndpoint.class, path)
                .subprotocols(List.of(SUBPROTOCOL))
                .configurator(new HeraldConfigurator(hub, originBeforeUpgrade))
                .build();
    }

    /**
     * Adds the endpoint for a hub to a container. Call it while the container is being set up (a
     * {@code ServletContainerInitializer}, a {@code ServletContextListener}, Jetty's
     * {@code JakartaWebSocketServletContainerInitializer.configure} callback).
     *
     * @param container the container, typically the {@code jakarta.websocket.server.ServerContainer}
     *     attribute of the servlet context
     * @param hub the hub
     * @param path the endpoint's path, such as {@code /ws}
     * @return the configuration that was added
     * @throws DeploymentException if the container refuses it (a path already taken, deployment closed)
     * @throws IllegalArgumentException if an argument is invalid
     */
    public static ServerEndpointConfig register(ServerContainer container, Hub hub, String path)
            throws DeploymentException {
        if (container == null) {
            throw new IllegalArgumentException("container must not be null");
        }
        ServerEndpointConfig config = endpointConfig(hub, path);
        container.addEndpoint(config);
        return config;
    }

    /**
     * A servlet filter that judges WebSocket handshakes before the container upgrades them. A refused
     * handshake is answered with the hub's HTTP status ({@code 400}, {@code 401} with {@code WWW-Authenticate:
     * Bearer}, {@code 403}, {@code 429} or {@code 503} with {@code Retry-After}, {@code 500} when the
     * authenticator fails) and a one-line text body; an
     * accepted one continues to the endpoint, which uses the verdict as it is (the hub is asked once).
     * Requests that are not WebSocket upgrades pass through untouched.
     *
     * <p>Map it on the endpoint's path, in front of the container's own WebSocket filter: on Tomcat a
     * plain {@code FilterDef}/{@code FilterMap} (or {@code addFilter}) is enough; on Jetty 12 it must be
     * prepended ({@code ServletHandler.prependFilter}), because Jetty's {@code WebSocketUpgradeFilter}
     * otherwise upgrades first. Requires the servlet API (5.0 or later) at run time; nothing else in this
     * module does.
     *
     * @param hub the hub whose endpoint the filter guards
     * @return a new filter; stateless apart from the hub, safe for concurrent requests
     * @throws IllegalArgumentException if the hub is {@code null}
     */
    public static Filter handshakeFilter(Hub hub) {
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        return HandshakeFilter.create(hub);
    }
}
