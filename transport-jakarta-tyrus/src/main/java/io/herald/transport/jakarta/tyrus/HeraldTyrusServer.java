package io.herald.transport.jakarta.tyrus;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldWebSocket;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.ServerContainerFactory;

/**
 * Serves a {@link Hub} over WebSocket on a standalone Tyrus server (Grizzly), for applications that run no
 * servlet container. Started with {@link #start(Hub, int, String)}; {@link #close()} stops the server but
 * not the hub (close the hub first to send clients 1001 {@code shutdown}).
 *
 * <p>Two things differ from a servlet container, both documented in {@code docs/transports.md}:
 * <ul>
 *   <li>Tyrus cannot answer a refused handshake with an HTTP status that a client can read to its end (its
 *       refusals carry no {@code Content-Length} and keep the connection open), so a refused client is upgraded and
 *       closed at once with the refusal's close code ({@code 1008 bad-request}, {@code 1008 unauthorized},
 *       {@code 1008 forbidden-origin}, {@code 1013 rate-limited}, {@code 1001 shutdown}, {@code 1011
 *       internal}) before any frame;</li>
 *   <li>Grizzly listens on every interface ({@code 0.0.0.0}): Tyrus 2.2 ignores a host name.</li>
 * </ul>
 * Port {@code 0} picks a free port here (unlike Tyrus's own {@code Server}, where 0 means 8025).
 * Thread-safe.
 */
public final class HeraldTyrusServer implements AutoCloseable {
    private final ServerContainer container;
    private final int port;
    private final URI uri;

    private HeraldTyrusServer(ServerContainer container, int port, URI uri) {
        this.container = container;
        this.port = port;
        this.uri = uri;
    }

    /**
     * Starts a server with the endpoint at {@code path} under the root context.
     *
     * @param hub the hub to serve
     * @param port the TCP port; 0 picks a free one
     * @param path the endpoint's path, such as {@code /ws}
     * @return the running server
     * @throws DeploymentException if the endpoint cannot be deployed or the port cannot be bound
     */
    public static HeraldTyrusServer start(Hub hub, int port, String path) throws DeploymentException {
        return start(hub, port, "/", path, Map.of());
    }

    /**
     * Starts a server with Tyrus settings of its own (for example
     * {@code org.glassfish.tyrus.incomingBufferSize} or Grizzly thread pool configurations).
     *
     * @param hub the hub to serve
     * @param port the TCP port; 0 picks a free one
     * @param contextPath the root of every path, such as {@code /} or {@code /app}
     * @param path the endpoint's path under the context, such as {@code /ws}
     * @param properties Tyrus and Grizzly container properties; may be empty
     * @return the running server
     * @throws DeploymentException if the endpoint cannot be deployed or the port cannot be bound
     * @throws IllegalArgumentException if the port is outside 0..65535 or an argument is missing
     */
    public static HeraldTyrusServer start(Hub hub, int port, String contextPath, String path,
            Map<String, Object> properties) throws DeploymentException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be within 0..65535, was " + port);
        }
        if (contextPath == null || !contextPath.startsWith("/")) {
            throw new IllegalArgumentException("contextPath must start with '/', was " + contextPath);
        }
        if (properties == null) {
            throw new IllegalArgumentException("properties must not be null");
        }
        ServerContainer container = ServerContainerFactory.createServerContainer(new HashMap<>(properties));
        container.addEndpoint(endpointConfig(hub, path));
        try {
            container.start(contextPath, port);
        } catch (IOException e) {
            throw new DeploymentException("cannot start the Tyrus server on port " + port + ": " + e.getMessage(), e);
        }
        int bound = container instanceof TyrusServerContainer t ? t.getPort() : port;
        String root = contextPath.endsWith("/") ? contextPath.substring(0, contextPath.length() - 1) : contextPath;
        return new HeraldTyrusServer(container, bound, URI.create("ws://localhost:" + bound + root + path));
    }

    /**
     * The endpoint's configuration for a Tyrus (Grizzly) server that the application builds itself, for
     * example returned from a {@code ServerApplicationConfig}; {@link #start} uses it too. It differs from
     * {@link HeraldWebSocket#endpointConfig} in one point: its {@code checkOrigin} admits every Origin and
     * leaves a forbidden one to the hub's verdict, an upgrade and a close {@code 1008 forbidden-origin}.
     * Grizzly answers a refused {@code checkOrigin} with a 403 that has no {@code Content-Length} and keeps
     * the connection open, so a client that reads the body (the JDK's) would wait for it until the
     * connection times out.
     *
     * @param hub the hub that admits, serves and closes the connections
     * @param path the endpoint's path, such as {@code /ws}
     * @return a new configuration; add it to one container once
     * @throws IllegalArgumentException if the hub is {@code null} or the path does not start with {@code /}
     */
    public static ServerEndpointConfig endpointConfig(Hub hub, String path) {
        return HeraldWebSocket.endpointConfig(hub, path, false);
    }

    /** @return the TCP port the server listens on */
    public int port() {
        return port;
    }

    /** @return the endpoint's address as seen from this machine, {@code ws://localhost:<port>/<path>} */
    public URI uri() {
        return uri;
    }

    /** Stops the server and drops its connections; the hub is left running. Idempotent. */
    @Override
    public void close() {
        container.stop();
    }
}
