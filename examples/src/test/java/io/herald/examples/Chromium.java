package io.herald.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Debian {@code chromium} driven through the DevTools protocol over the JDK's WebSocket
 * client: it opens one page and evaluates JavaScript in it. Without {@code /usr/bin/chromium} the test is
 * skipped with a message saying how to enable it, unless {@code CI=true}: then the harness installs it
 * with {@code apt-get} and fails if it still is missing. {@link #close()} ends the browser and its child
 * processes by PID.
 */
final class Chromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket page;
    private final Map<Integer, CompletableFuture<JsonNode>> calls;
    private final AtomicInteger nextId = new AtomicInteger(1);

    private Chromium(Process process, Path profile, WebSocket page, Map<Integer, CompletableFuture<JsonNode>> calls) {
        this.process = process;
        this.profile = profile;
        this.page = page;
        this.calls = calls;
    }

    /** Skips the test (or, under {@code CI=true}, installs chromium) when the browser is missing. */
    static void requireInstalled() throws Exception {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String how = BINARY + " is missing; install Debian's chromium (apt-get install -y chromium) to run the browser tests";
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.abort(how);
        }
        run(List.of("apt-get", "update", "-qq"));
        run(List.of("apt-get", "install", "-y", "-qq", "chromium"));
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(how + " — it is required when CI=true, and apt-get could not install it");
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took more than 5 minutes");
        }
    }

    /**
     * Starts the browser on a page.
     *
     * @param url the page to open
     * @return the running browser, attached to that page
     */
    static Chromium open(String url) throws Exception {
        Path profile = Files.createTempDirectory("herald-chromium-");
        Path log = profile.resolve("stderr.log");
        Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + profile, "--remote-debugging-port=0", url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile())
                .start();
        try {
            String browserWs = Awaitility.await("chromium's DevTools address").atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> devToolsAddress(log, process), a -> a != null);
            URI browser = URI.create(browserWs);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI list = URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list");
            String pageWs = Awaitility.await("the page target").atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> pageAddress(http, list), a -> a != null);
            Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new Listener(calls))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Chromium(process, profile, ws, calls);
        } catch (Exception | Error e) {
            kill(process);
            deleteTree(profile);
            throw e;
        }
    }

    private static String devToolsAddress(Path log, Process process) throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError("chromium exited with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
        return m.find() ? m.group(1) : null;
    }

    private static String pageAddress(HttpClient http, URI list) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(list).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(r.body())) {
            if ("page".equals(target.path("type").asText()) && target.has("webSocketDebuggerUrl")) {
                return target.get("webSocketDebuggerUrl").asText();
            }
        }
        return null;
    }

    /**
     * Evaluates an expression in the page (awaiting a promise) and returns its JSON value.
     *
     * @param expression JavaScript
     * @return the value, {@code MissingNode} for {@code undefined}
     */
    JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new AssertionError("page threw: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * Calls a DevTools method on the page and waits up to 10 seconds for its result.
     *
     * @param method such as {@code Page.captureScreenshot}
     * @param params the method's parameters
     * @return the result object
     */
    JsonNode call(String method, ObjectNode params) throws Exception {
        int id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        ObjectNode call = JSON.createObjectNode().put("id", id).put("method", method);
        call.set("params", params);
        page.sendText(JSON.writeValueAsString(call), true).get(10, TimeUnit.SECONDS);
        JsonNode message = answer.get(10, TimeUnit.SECONDS);
        if (message.has("error")) {
            throw new AssertionError("DevTools refused " + method + ": " + message.get("error"));
        }
        return message.path("result");
    }

    /** Ends the browser and every process it started, by PID, and removes its profile. */
    @Override
    public void close() {
        page.abort();
        kill(process);
        deleteTree(profile);
    }

    private static void kill(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }

    /** Collects DevTools answers by id; events are ignored. */
    private static final class Listener implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> calls;
        private final List<CharSequence> parts = new ArrayList<>();

        Listener(Map<Integer, CompletableFuture<JsonNode>> calls) {
            this.calls = calls;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            parts.add(data.toString());
            if (last) {
                String text = String.join("", parts);
                parts.clear();
                try {
                    JsonNode message = JSON.readTree(text);
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> f = calls.remove(message.get("id").asInt());
                        if (f != null) {
                            f.complete(message);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("DevTools sent something that is not JSON", e);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
