package io.herald.transport.sse.contract;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium showing one page from a loopback page server of its own origin, so that the page's
 * {@code EventSource} and {@code fetch} calls to Herald are cross-origin and go through CORS. The page
 * reports what it sees by publishing to Herald. Skipped with a message when no Chromium is on the PATH.
 */
public final class BrowserClient implements AutoCloseable {
    /** Where the browser's console and log go, for diagnosis. */
    private static final Path LOG = Path.of("target", "chromium.log");
    private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

    private final HttpServer pages;
    private final String browser;
    private volatile byte[] html = new byte[0];
    private Process process;
    private Path profile;

    private BrowserClient(HttpServer pages, String browser) {
        this.pages = pages;
        this.browser = browser;
    }

    /**
     * @return a browser with its page server started. Without Chromium the test is skipped with a message
     *     saying how to enable it, except under {@code CI=true}: there Debian's {@code chromium} is installed
     *     with {@code apt-get}, and the test fails if that does not give a working browser.
     */
    public static BrowserClient locate() throws IOException, InterruptedException {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (ci && BROWSERS.stream().noneMatch(BrowserClient::works)) {
            exec(List.of("apt-get", "update", "-qq"));
            exec(List.of("apt-get", "install", "-y", "-qq", "chromium"));
        }
        for (String b : BROWSERS) {
            if (exec(List.of(b, "--version")) == 0) {
                HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                BrowserClient client = new BrowserClient(pages, b);
                pages.createContext("/", exchange -> {
                    byte[] body = client.html;
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
                pages.start();
                return client;
            }
        }
        String how = "no chromium on the PATH; install it (apt-get install -y chromium) to run the browser test";
        if (ci) {
            throw new AssertionError(how + " — it is required when CI=true, and apt-get could not install it");
        }
        Assumptions.abort(how);
        throw new IllegalStateException("unreachable");
    }

    private static boolean works(String browser) {
        try {
            return exec(List.of(browser, "--version")) == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int exec(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(command.get(0).equals("apt-get") ? 600 : 20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return the page server's origin, {@code http://127.0.0.1:<port>} */
    public String origin() {
        return "http://127.0.0.1:" + pages.getAddress().getPort();
    }

    /**
     * Opens a page that streams {@code topics} from Herald with credentials and publishes a report to
     * {@code reportTopic} for each {@code connected} event, message and error (with the data of a named
     * {@code error} event from the server).
     *
     * @param base Herald's SSE base address
     * @param topics the stream's topics parameter
     * @param reportTopic where the page publishes its reports
     */
    public void open(URI base, String topics, String reportTopic) throws IOException {
        html = ("<!doctype html><meta charset=\"utf-8\"><title>herald sse</title><script>\n"
                + "const base = '" + base + "';\n"
                + "function report(x) { console.log('herald-report ' + JSON.stringify(x)); fetch(base + '/publish', {method: 'POST', credentials: 'include',"
                + " headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({topic: '" + reportTopic + "', data: x})})"
                + ".then((r) => console.log('herald-report-status ' + r.status), (e) => console.log('herald-report-failed ' + e)); }\n"
                + "const es = new EventSource(base + '?topics=" + topics + "', {withCredentials: true});\n"
                + "es.addEventListener('connected', (e) => report({step: 'connected', connected: JSON.parse(e.data)}));\n"
                + "es.onmessage = (e) => report({step: 'event', id: e.lastEventId, topic: JSON.parse(e.data).topic});\n"
                + "es.onerror = (e) => report({step: 'error', state: es.readyState, error: e.data ? JSON.parse(e.data) : null});\n"
                + "</script>").getBytes(StandardCharsets.UTF_8);
        start();
    }

    /**
     * Opens a page of this origin that runs a script.
     *
     * @param title the page's title
     * @param script the script, run as the page loads
     */
    public void openScript(String title, String script) throws IOException {
        html = ("<!doctype html><meta charset=\"utf-8\"><title>" + title + "</title><script>\n" + script
                + "\n</script>").getBytes(StandardCharsets.UTF_8);
        start();
    }

    private void start() throws IOException {
        profile = Files.createTempDirectory("herald-sse-chromium");
        process = new ProcessBuilder(browser, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--enable-logging=stderr", "--log-level=0", "--user-data-dir=" + profile, origin() + "/")
                .redirectErrorStream(true).redirectOutput(LOG.toFile()).start();
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        pages.stop(0);
        if (profile != null) {
            try (Stream<Path> paths = Files.walk(profile)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                profile.toFile().deleteOnExit();
            }
        }
    }
}
