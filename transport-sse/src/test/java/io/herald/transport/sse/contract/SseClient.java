package io.herald.transport.sse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An SSE client on the JDK {@link HttpClient}: reads the stream line by line on its own thread and parses it
 * the way a browser's {@code EventSource} does (fields {@code id}, {@code event}, {@code data},
 * {@code retry}, comments), into queues that tests poll with timeouts.
 */
public final class SseClient implements AutoCloseable {
    /** One dispatched event: {@code event} is {@code null} for unnamed ones. */
    public record Event(String id, String event, String data) {
        /** @return the data parsed as JSON */
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long STEP_SECONDS = 10;

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
    private final List<String> firstLines = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile String body;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            ended.countDown();
            return;
        }
        Thread reader = new Thread(this::read, "sse-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens a stream and returns once the response headers arrived.
     *
     * @param uri the stream's address with its query
     * @param headers request headers
     * @return the client; its status may be an error, with {@link #body()}
     */
    public static SseClient open(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
        headers.forEach(b::header);
        return new SseClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (firstLines.size() < 8) {
                    firstLines.add(line);
                }
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, event, data.toString()));
                    }
                    id = null;
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    comments.add(line.substring(1).trim());
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { }
                }
            }
        } catch (IOException e) {
            comments.add("READ-FAILED " + e);
        } finally {
            ended.countDown();
        }
    }

    /** @return the HTTP status */
    public int status() {
        return response.statusCode();
    }

    /** @return the response headers */
    public HttpHeaders headers() {
        return response.headers();
    }

    /** @return the body of an error answer (status other than 200) */
    public String body() {
        return body;
    }

    /** @return the body of an error answer as JSON */
    public JsonNode json() throws IOException {
        return JSON.readTree(body);
    }

    /** @return the first lines of the stream as received (up to 8) */
    public List<String> firstLines() {
        return firstLines;
    }

    /** @return the next event, waiting at most the step timeout */
    public Event next() throws InterruptedException {
        Event e = events.poll(STEP_SECONDS, TimeUnit.SECONDS);
        assertThat(e).as("an event within %d s", STEP_SECONDS).isNotNull();
        return e;
    }

    /** @return the next event, or {@code null} when none came within the time */
    public Event poll(Duration within) throws InterruptedException {
        return events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return the comment lines received, in order, without the colon */
    public BlockingQueue<String> comments() {
        return comments;
    }

    /** @return whether the stream ended (end of body or error) within the time */
    public boolean awaitEnd(Duration within) throws InterruptedException {
        return ended.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
