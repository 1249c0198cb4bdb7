package io.herald.transport.sse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.transport.sse.HeraldSse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * What every container's test class provides, and the plumbing the SSE contract's tests share: one hub and
 * one server per test, every client closed afterwards, HTTP helpers for the POST endpoints.
 */
public abstract class SseContractSupport {
    /** The base path every container mounts the endpoints on. */
    public static final String BASE = "/events";
    /** The origin the test servers allow for CORS, with credentials. */
    public static final String ALLOWED_ORIGIN = "https://app.example";

    /** A container running the SSE servlet for one hub. */
    public interface RunningServer extends AutoCloseable {
        /** @return the endpoints' base address, {@code http://127.0.0.1:<port>/events} */
        URI base();

        /** Stops the container. */
        @Override
        void close() throws Exception;

        /**
         * @param base the endpoints' base address
         * @param stop stops the container
         * @return a running server made of the two
         */
        static RunningServer of(URI base, AutoCloseable stop) {
            return new RunningServer() {
                @Override
                public URI base() {
                    return base;
                }

                @Override
                public void close() throws Exception {
                    stop.close();
                }
            };
        }
    }

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    /** The hub of the current test. */
    protected Hub hub;
    /** The server of the current test. */
    protected RunningServer server;

    /**
     * Starts the container with the servlet from {@code sse} mounted at {@link #BASE} on an ephemeral
     * loopback port.
     *
     * @param sse the endpoints' settings
     * @return the running server
     * @throws Exception if it cannot start
     */
    protected abstract RunningServer start(HeraldSse sse) throws Exception;

    /**
     * Builds a hub from test defaults plus the test's settings and starts the server, with CORS for
     * {@link #ALLOWED_ORIGIN} and credentials, and a 1.5 s retry.
     */
    protected void serve(UnaryOperator<HubBuilder> settings) throws Exception {
        serve(settings, ALLOWED_ORIGIN);
    }

    /** Like {@link #serve(UnaryOperator)} with other CORS origins. */
    protected void serve(UnaryOperator<HubBuilder> settings, String... origins) throws Exception {
        serve(settings, sse -> sse, origins);
    }

    /** Like {@link #serve(UnaryOperator, String...)} with more settings of the endpoints. */
    protected void serve(UnaryOperator<HubBuilder> settings, UnaryOperator<HeraldSse.Builder> sseSettings,
            String... origins) throws Exception {
        hub = settings.apply(Hub.builder().node("it").drainTimeout(Duration.ofSeconds(5))).build();
        server = start(sseSettings.apply(HeraldSse.builder(hub).allowedOrigins(origins).allowCredentials(true)
                .retry(Duration.ofMillis(1500)).maxBodyBytes(4096)).build());
    }

    /**
     * @param resource closed after the test, in reverse order
     * @param <T> its type
     * @return the resource
     */
    protected <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    /** @return the stream's address with a query string (may be empty) */
    protected URI stream(String query) {
        return URI.create(server.base() + (query.isEmpty() ? "" : "?" + query));
    }

    /** Opens a stream, tracked. */
    protected SseClient open(String query, Map<String, String> headers) throws IOException, InterruptedException {
        return track(SseClient.open(stream(query), headers));
    }

    /** Opens a stream, asserts 200, and returns it past its {@code connected} event. */
    protected Opened connect(String query) throws IOException, InterruptedException {
        SseClient c = open(query, Map.of());
        if (c.status() != 200) {
            throw new AssertionError("stream refused with " + c.status() + ": " + c.body());
        }
        SseClient.Event connected = c.next();
        if (!"connected".equals(connected.event())) {
            throw new AssertionError("first event is not connected: " + connected);
        }
        return new Opened(c, connected.json());
    }

    /**
     * @return the client's next event; when none comes within 10 s, fails with what the hub holds for each
     *     connection (queued frames and bytes), which tells a stuck transport from an event never queued
     */
    protected SseClient.Event next(SseClient client) throws InterruptedException {
        SseClient.Event e = client.poll(Duration.ofSeconds(10));
        if (e == null) {
            throw new AssertionError("no event within 10 s; hub connections: " + hub.admin().connections());
        }
        return e;
    }

    /** A stream past its {@code connected} event. */
    public record Opened(SseClient client, JsonNode connected) {
        /** @return its connection id */
        public String id() {
            return connected.path("connectionId").asText();
        }

        /** @return its control token */
        public String token() {
            return connected.path("controlToken").asText();
        }
    }

    /**
     * POSTs a body to an endpoint below the base.
     *
     * @param path such as {@code /publish}
     * @param body the raw body
     * @param headers extra headers ({@code Content-Type} defaults to JSON)
     * @return the response
     */
    protected HttpResponse<String> post(String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Content-Type")) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return SseClient.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs JSON. */
    protected HttpResponse<String> post(String path, Object json) throws IOException, InterruptedException {
        return post(path, SseClient.JSON.writeValueAsString(json), Map.of());
    }

    /** @return a response body as JSON */
    protected static JsonNode json(HttpResponse<String> response) throws IOException {
        return SseClient.JSON.readTree(response.body());
    }

    @AfterEach
    void closeEverything() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
        if (hub != null) {
            hub.close(Duration.ZERO);
        }
        if (server != null) {
            server.close();
        }
    }
}
