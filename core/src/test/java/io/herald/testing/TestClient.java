package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of a hub over a {@link RecordingTransport}: connects through the real gateway, sends JSON
 * requests, and reads frames with timeouts (never sleeps).
 */
public final class TestClient {
    /** How long a test waits for one frame before failing. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingTransport transport;
    private final ConnectionHandle handle;
    private final JsonNode connected;

    private TestClient(RecordingTransport transport, ConnectionHandle handle, JsonNode connected) {
        this.transport = transport;
        this.handle = handle;
        this.connected = connected;
    }

    /**
     * @param topic the topic
     * @param dataJson the {@code data} value, as JSON text
     * @return the body of an HTTP publish, UTF-8
     */
    public static byte[] publishBody(String topic, String dataJson) {
        return ("{\"topic\":\"" + topic + "\",\"data\":" + dataJson + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Connects anonymously from 127.0.0.1 over WebSocket framing and reads {@code connected}.
     *
     * @param hub the hub
     * @return the client
     */
    public static TestClient connect(Hub hub) {
        return connect(hub, Handshake.builder("127.0.0.1").build(), Framing.WEBSOCKET);
    }

    /**
     * Connects with a given handshake; reads {@code connected} if the connection is opened.
     *
     * @param hub the hub
     * @param handshake what the client presents
     * @param framing the transport's framing
     * @return the client
     * @throws IllegalStateException if the handshake is rejected
     */
    public static TestClient connect(Hub hub, Handshake handshake, Framing framing) {
        Admission a = hub.gateway().admit(handshake);
        if (!a.accepted()) {
            throw new IllegalStateException("handshake rejected: " + a);
        }
        RecordingTransport t = new RecordingTransport(framing);
        ConnectionHandle h = hub.gateway().open(a, t);
        JsonNode first = framing == Framing.WEBSOCKET && t.closed() == null ? read(t) : null;
        return new TestClient(t, h, first);
    }

    /** @return the {@code connected} frame */
    public JsonNode connected() {
        return connected;
    }

    /** @return the connection id */
    public String id() {
        return handle.connectionId();
    }

    /** @return the transport */
    public RecordingTransport transport() {
        return transport;
    }

    /** @return the hub's handle */
    public ConnectionHandle handle() {
        return handle;
    }

    /**
     * Sends a raw text message.
     *
     * @param text the message
     */
    public void sendRaw(String text) {
        handle.onText(text);
    }

    /**
     * Sends a request built from alternating keys and values ({@code "type","subscribe","topics",List.of(...)}).
     *
     * @param keyValues keys and values
     */
    public void send(Object... keyValues) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        sendRaw(o.toString());
    }

    /** @return the next frame, waiting up to {@link #TIMEOUT} */
    public JsonNode next() {
        return read(transport);
    }

    /**
     * @param type the expected {@code type}
     * @return the next frame, asserted to be of that type
     */
    public JsonNode expect(String type) {
        JsonNode f = next();
        if (!type.equals(f.path("type").asText())) {
            throw new AssertionError("expected a '" + type + "' frame, got " + f);
        }
        return f;
    }

    /**
     * Reads frames until one matches, failing after {@link #TIMEOUT} overall.
     *
     * @param match what to wait for
     * @return the matching frame
     */
    public JsonNode nextMatching(Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode f = poll(Duration.ofNanos(deadline - System.nanoTime()));
            if (f != null && match.test(f)) {
                return f;
            }
        }
        throw new AssertionError("no matching frame within " + TIMEOUT);
    }

    /**
     * @param wait how long to wait
     * @return the next frame, or {@code null} if none arrived
     */
    public JsonNode poll(Duration wait) {
        try {
            String s = transport.frames().poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            return s == null ? null : JSON.readTree(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return every frame received so far and not yet read */
    public List<JsonNode> drain() {
        List<String> raw = new ArrayList<>();
        transport.frames().drainTo(raw);
        List<JsonNode> out = new ArrayList<>();
        for (String s : raw) {
            try {
                out.add(JSON.readTree(s));
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Closes from the client side, as a transport reports it. */
    public void close() {
        handle.onClosed(1000, "normal");
    }

    private static JsonNode read(RecordingTransport t) {
        try {
            String s = t.frames().poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (s == null) {
                throw new AssertionError("no frame within " + TIMEOUT + "; closed=" + t.closed());
            }
            return JSON.readTree(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
