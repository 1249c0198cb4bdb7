package io.herald.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JDK WebSocket client that records every text frame as JSON, polled with timeouts. Frames passed over
 * by {@link #until} are held and offered again, in order, to the next {@link #next} or {@link #until}.
 */
final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Deque<JsonNode> held = new ArrayDeque<>();
    private final WebSocket socket;

    private WsClient(URI uri, Map<String, String> headers) throws Exception {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        socket = builder.buildAsync(uri, new Recorder()).get(10, TimeUnit.SECONDS);
    }

    static WsClient connect(int port, Map<String, String> headers) throws Exception {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + DemoServer.WS_PATH), headers);
    }

    static WsClient connect(int port) throws Exception {
        return connect(port, Map.of());
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    /** @return the next frame; fails after 5 seconds */
    JsonNode next() throws InterruptedException {
        if (!held.isEmpty()) {
            return held.poll();
        }
        JsonNode frame = frames.poll(5, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame within 5 s");
        }
        return frame;
    }

    /**
     * @param wanted what to wait for
     * @return the first frame that matches; the frames skipped before it are in {@code skipped}
     */
    JsonNode until(Predicate<JsonNode> wanted, List<JsonNode> skipped) throws InterruptedException {
        for (Iterator<JsonNode> it = held.iterator(); it.hasNext();) {
            JsonNode frame = it.next();
            if (wanted.test(frame)) {
                it.remove();
                return frame;
            }
            skipped.add(frame);
        }
        List<JsonNode> passed = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (frame != null && wanted.test(frame)) {
                held.addAll(passed);
                return frame;
            }
            if (frame != null) {
                skipped.add(frame);
                passed.add(frame);
            }
        }
        throw new AssertionError("no matching frame within 10 s; got " + skipped);
    }

    JsonNode until(Predicate<JsonNode> wanted) throws InterruptedException {
        return until(wanted, new ArrayList<>());
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Recorder implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(text.toString()));
                } catch (IOException e) {
                    frames.add(JSON.getNodeFactory().textNode(text.toString()));
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
