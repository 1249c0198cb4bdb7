package io.herald.transport.jakarta.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A test client on the JDK's {@code java.net.http.WebSocket}: collects text messages as JSON into a queue
 * that tests poll with timeouts, records the close, and answers pings automatically (as the JDK does).
 * Its handshake is bounded by {@link #TIMEOUT}.
 */
public final class JdkClient implements AutoCloseable {
    /** How long a test waits for one frame, a close or a handshake. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** A close as the client saw it. */
    public record Close(int code, String reason) {
    }

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;

    private JdkClient() {
    }

    /**
     * Connects and returns once the upgrade succeeded.
     *
     * @param uri the endpoint
     * @param headers extra request headers (not {@code Sec-WebSocket-Protocol})
     * @param subprotocols subprotocols to offer; none for a plain client
     * @return the connected client
     * @throws WebSocketHandshakeException when the server answered the upgrade with another status
     */
    public static JdkClient connect(URI uri, Map<String, String> headers, String... subprotocols)
            throws WebSocketHandshakeException {
        return connect(HTTP, uri, headers, subprotocols);
    }

    /**
     * Connects with a client of the caller's (one with a TLS context, for {@code wss:}).
     *
     * @param http the HTTP client that makes the upgrade
     * @param uri the endpoint
     * @param headers extra request headers (not {@code Sec-WebSocket-Protocol})
     * @param subprotocols subprotocols to offer; none for a plain client
     * @return the connected client
     * @throws WebSocketHandshakeException when the server answered the upgrade with another status
     */
    public static JdkClient connect(HttpClient http, URI uri, Map<String, String> headers, String... subprotocols)
            throws WebSocketHandshakeException {
        JdkClient c = new JdkClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(b::header);
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], List.of(subprotocols).subList(1, subprotocols.length).toArray(String[]::new));
        }
        try {
            c.socket = b.buildAsync(uri, c.new Listener()).get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw h;
            }
            throw new IllegalStateException("connect to " + uri + " failed", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("connect to " + uri + " did not finish", e);
        }
        return c;
    }

    /** @param uri the endpoint @return a client that offers no subprotocol and sends no extra header */
    public static JdkClient connect(URI uri) {
        try {
            return connect(uri, Map.of());
        } catch (WebSocketHandshakeException e) {
            throw new IllegalStateException("handshake refused with " + e.getResponse().statusCode(), e);
        }
    }

    /** @return the subprotocol the server selected, empty when none */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** @param json one request, sent as a text frame */
    public void send(String json) {
        socket.sendText(json, true).join();
    }

    /**
     * @param type the frame type wanted
     * @return the next frame of that type; frames of other types before it are skipped
     */
    public JsonNode next(String type) {
        return next(f -> type.equals(f.path("type").asText()));
    }

    /**
     * @param wanted what the frame must satisfy
     * @return the next frame that does; others before it are skipped
     */
    public JsonNode next(Predicate<JsonNode> wanted) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode f = poll(deadline - System.nanoTime());
            if (f == null) {
                throw new AssertionError("no matching frame within " + TIMEOUT + "; closed: " + closed.getNow(null));
            }
            if (wanted.test(f)) {
                return f;
            }
        }
    }

    /** @return the next frame, whatever it is */
    public JsonNode next() {
        JsonNode f = poll(TIMEOUT.toNanos());
        if (f == null) {
            throw new AssertionError("no frame within " + TIMEOUT + "; closed: " + closed.getNow(null));
        }
        return f;
    }

    /**
     * @param timeout how long to wait
     * @return the next frame, or {@code null} when none came in time
     */
    public JsonNode poll(Duration timeout) {
        return poll(timeout.toNanos());
    }

    private JsonNode poll(long nanos) {
        try {
            return frames.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** @return the close the server sent, waiting at most {@link #TIMEOUT} */
    public Close awaitClose() {
        try {
            return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("not closed within " + TIMEOUT, e);
        }
    }

    /** @return frames received and not yet taken */
    public BlockingQueue<JsonNode> frames() {
        return frames;
    }

    /** @return whether the server closed the connection */
    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake, like a client whose network vanished. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        WebSocket s = socket;
        if (s != null && !s.isOutputClosed()) {
            s.sendClose(1000, "bye");
        }
        if (s != null) {
            s.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    frames.add(JSON.readTree(text));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(new Close(1006, String.valueOf(error)));
        }
    }
}
