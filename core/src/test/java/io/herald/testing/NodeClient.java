package io.herald.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a Node.js script from the test resources against a server, with one npm package installed into
 * {@code target/node-<package name>}. Without {@code node} on the {@code PATH} the test is skipped
 * with a message saying how to enable it, unless {@code CI=true}: then the harness installs Debian's
 * {@code nodejs} and {@code npm} with {@code apt-get}, and fails if that does not give it a working node.
 */
public final class NodeClient {
    private static final long STEP_SECONDS = 20;
    private static final long INSTALL_SECONDS = 180;

    private final Path dir;

    private NodeClient(Path dir) {
        this.dir = dir;
    }

    /**
     * @param npmPackage the package the scripts need, with its version range ({@code ws@8},
     *     {@code eventsource@2})
     * @return a runner whose directory has the package installed; skips or fails the test when it cannot
     */
    public static synchronized NodeClient locate(String npmPackage) throws IOException, InterruptedException {
        String name = npmPackage.substring(0, npmPackage.lastIndexOf('@'));
        Path dir = Path.of("target", "node-" + name);
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (ci && (exec(List.of("node", "--version"), Path.of("."), 20) != 0
                || exec(List.of("npm", "--version"), Path.of("."), 20) != 0)) {
            exec(List.of("apt-get", "update", "-qq"), Path.of("."), INSTALL_SECONDS);
            exec(List.of("apt-get", "install", "-y", "-qq", "nodejs", "npm"), Path.of("."), INSTALL_SECONDS);
        }
        if (exec(List.of("node", "--version"), Path.of("."), 20) != 0) {
            String how = "node is not on the PATH; install Node.js 18+ (for example apt-get install -y nodejs npm)"
                    + " to run the Node client test";
            if (ci) {
                throw new AssertionError(how + " — it is required when CI=true, and apt-get could not install it");
            }
            Assumptions.abort(how);
        }
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve("node_modules/" + name + "/package.json"))) {
            int rc = exec(List.of("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", npmPackage), Path.of("."), INSTALL_SECONDS);
            if (rc != 0) {
                String how = "npm install " + npmPackage + " failed (exit " + rc + "); the npm registry must be reachable";
                if (ci) {
                    throw new AssertionError(how);
                }
                Assumptions.abort(how);
            }
        }
        return new NodeClient(dir);
    }

    private static int exec(List<String> command, Path dir, long seconds) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Starts a script from the test resources.
     *
     * @param script the resource name
     * @param args its arguments
     * @return the running script
     */
    public Run run(String script, String... args) throws IOException {
        Path file = dir.resolve(script);
        try (InputStream in = NodeClient.class.getResourceAsStream("/" + script)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + script);
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = new java.util.ArrayList<>(List.of("node", file.toString()));
        command.addAll(List.of(args));
        return new Run(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** A running script: its output lines, its input, its exit. */
    public static final class Run implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final OutputStream stdin;

        private Run(Process process) {
            this.process = process;
            this.stdin = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("READ-FAILED " + e);
                }
            }, "node-client-output");
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * @param prefix what the line starts with
         * @return the first line that does; other lines before it are skipped
         */
        public String expect(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
            StringBuilder skipped = new StringBuilder();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line != null) {
                    skipped.append(line).append('\n');
                }
            }
            throw new AssertionError("node printed no line starting with " + prefix + "; it printed:\n" + skipped);
        }

        /** @param line written to the script's standard input */
        public void send(String line) throws IOException {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        /** @return the exit code, waiting at most the step timeout */
        public int exitCode() throws InterruptedException {
            if (!process.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("node did not exit");
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
