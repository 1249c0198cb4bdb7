package io.herald.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An SSE stream read line by line with the JDK client; lines are polled with a timeout, never slept for. */
final class SseLines implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final InputStream body;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private SseLines(InputStream body) {
        this.body = body;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the stream was closed
            }
        }, "sse-lines");
        reader.setDaemon(true);
        reader.start();
    }

    static SseLines open(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(request.header("Accept", "text/event-stream").timeout(TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new AssertionError("stream answered " + r.statusCode());
        }
        return new SseLines(r.body());
    }

    /** @return the next line starting with {@code prefix}, skipping others; fails after the timeout */
    String next(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' within " + TIMEOUT);
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
