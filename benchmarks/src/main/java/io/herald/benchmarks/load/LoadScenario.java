package io.herald.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * Runs one end-to-end scenario against a Herald server started as a child JVM on loopback and prints
 * deliveries per second, publish-to-receive latency, lost and duplicated events, and the server's CPU time
 * per delivery (read from {@code /proc/<pid>/stat}, so it is the server's alone). Each run publishes for five
 * seconds first so the server's JIT has warmed up, then measures. {@code -Dbench.serverJvmArgs="…"} passes
 * options to the server JVM (for example a JFR recording).
 *
 * <p>Usage: {@code LoadScenario fanout|latency|topics [connections] [seconds]}:
 * <ul>
 *   <li>{@code fanout}: every connection subscribes to one topic; ~100-byte events as fast as the
 *       subscribers keep up;</li>
 *   <li>{@code latency}: the same at 20 events per second;</li>
 *   <li>{@code topics}: every connection on its own topic, events published round-robin over them.</li>
 * </ul>
 */
public final class LoadScenario {
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    private static final int WARMUP_SECONDS = 5;

    private LoadScenario() {
    }

    /**
     * @param args scenario, connections, seconds
     * @throws Exception if the run cannot be set up
     */
    public static void main(String[] args) throws Exception {
        String scenario = args.length > 0 ? args[0] : "fanout";
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Process server = startServer();
        try {
            int port = awaitReady(server);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            run(scenario, connections, seconds, address, server.pid());
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static void run(String scenario, int connections, int seconds, InetSocketAddress address, long pid)
            throws Exception {
        boolean topics = scenario.equals("topics");
        double rate = scenario.equals("latency") ? 20 : 0;
        long epoch = System.nanoTime();
        try (LoadClient client = new LoadClient(epoch)) {
            client.connect(address, "/ws", connections, i -> "{\"type\":\"subscribe\",\"topics\":[\""
                    + (topics ? "bench.t" + i : "bench.all") + "\"]}", 60_000);
            if (client.upgradedCount() < connections) {
                throw new IllegalStateException("only " + client.upgradedCount() + " of " + connections + " connected");
            }
            long recipients = topics ? 1 : connections;
            try (Publisher publisher = new Publisher(address, "/ws", epoch, 100)) {
                long window = 64L * connections;
                long base = client.delivered.get();
                LongUnaryOperator undelivered = n -> n * recipients - (client.delivered.get() - base);
                long next = publisher.run(TimeUnit.SECONDS.toNanos(WARMUP_SECONDS), rate, window,
                        n -> topicOf(topics, n, connections), n -> seqOf(topics, n, connections), undelivered, 0);
                drain(client, base, next * recipients);
                client.latency().reset();
                long lostBefore = client.lost.get();
                long duplicatedBefore = client.duplicated.get();
                long cpuBefore = cpuTicks(pid);
                long deliveredBefore = client.delivered.get();
                long start = System.nanoTime();
                long end = publisher.run(TimeUnit.SECONDS.toNanos(seconds), rate, window,
                        n -> topicOf(topics, n, connections), n -> seqOf(topics, n, connections), undelivered, next);
                long published = end - next;
                long expected = published * recipients;
                drain(client, deliveredBefore, expected);
                double elapsed = (System.nanoTime() - start) / 1e9;
                long cpuTicks = cpuTicks(pid) - cpuBefore;
                long delivered = client.delivered.get() - deliveredBefore;
                report(scenario, connections, seconds, published, expected, delivered, elapsed, cpuTicks, client,
                        client.lost.get() - lostBefore, client.duplicated.get() - duplicatedBefore);
            }
        }
    }

    private static String topicOf(boolean topics, long n, int connections) {
        return topics ? "bench.t" + (n % connections) : "bench.all";
    }

    private static long seqOf(boolean topics, long n, int connections) {
        return topics ? n / connections : n;
    }

    /** Waits (at most 10 s) until {@code expected} deliveries after {@code base} arrived. */
    private static void drain(LoadClient client, long base, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.delivered.get() - base < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private static void report(String scenario, int connections, int seconds, long published, long expected,
            long delivered, double elapsed, long cpuTicks, LoadClient client, long lost, long duplicated) {
        Histogram h = client.latency();
        double cpuMicrosPerDelivery = delivered == 0 ? 0 : cpuTicks * 1e6 / CLOCK_TICKS_PER_SECOND / delivered;
        System.out.printf("scenario=%s connections=%d seconds=%d%n", scenario, connections, seconds);
        System.out.printf("published=%d expectedDeliveries=%d delivered=%d missing=%d lost(gaps)=%d duplicated=%d "
                + "closedByServer=%d%n", published, expected, delivered, expected - delivered, lost,
                duplicated, client.closedByServer.get());
        System.out.printf("deliveries/s=%.0f (over %.1f s including drain)%n", delivered / elapsed, elapsed);
        System.out.printf("latency µs: p50=%d p99=%d p999=%d max=%d (n=%d)%n", h.quantile(0.5), h.quantile(0.99),
                h.quantile(0.999), h.max(), h.count());
        System.out.printf("server CPU: %.2f s, %.2f µs per delivery%n", cpuTicks / (double) CLOCK_TICKS_PER_SECOND,
                cpuMicrosPerDelivery);
    }

    /** @return utime + stime of a process, in clock ticks */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static Process startServer() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g"));
        String extra = System.getProperty("bench.serverJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(), "0"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static int awaitReady(Process server) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("READY ")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the child's output pipe from filling up
                        }
                    } catch (IOException e) {
                        // the child ended
                    }
                }, "bench-server-output");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(6).trim());
            }
        }
        throw new IOException("the bench server exited before it was ready");
    }
}
