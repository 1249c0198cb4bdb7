package io.herald.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

/**
 * Runs one end-to-end scenario against a server started as a child process on loopback and prints
 * deliveries per second, publish-to-receive latency, lost and duplicated events, and the server's CPU time
 * per delivery (read from {@code /proc/<pid>/stat}, so it is the server's alone). Each run publishes first
 * so the server's JIT has warmed up (5 s flat out, 30 s at a fixed rate or over many topics;
 * {@code -Dbench.warmupSeconds} overrides; a JVM server's warm-up then goes on until its JIT compilers are
 * quiet, for at most 90 s more), then measures. {@code -Dbench.serverJvmArgs="…"} passes
 * options to the server JVM (for example a JFR recording); {@code -Dbench.serverClassPath=…} runs Herald's
 * Jetty server ({@code herald}, {@code herald-core}) from another build's benchmark jar, to compare two builds
 * under the same load client.
 *
 * <p>Usage: {@code LoadScenario fanout|latency|topics|idle [connections] [seconds] [ws|sse]}:
 * <ul>
 *   <li>{@code fanout}: every connection subscribes to one topic; ~100-byte events as fast as the
 *       subscribers keep up;</li>
 *   <li>{@code latency}: the same at 20 events per second;</li>
 *   <li>{@code topics}: every connection on its own topic, events published round-robin over them;</li>
 *   <li>{@code idle}: connections held, each subscribed to its own topic, nothing published: the server's
 *       resident memory, heap and threads per connection, measured after the same number of connections
 *       came and went once (so the baseline is a server that has run, with its heap pages in use).
 *       {@code -Dbench.histogram=true} also prints the classes whose heap grew, per connection, from
 *       {@code jcmd GC.class_histogram} before and while the connections are held
 *       ({@code -Dbench.histogramRows=n} rows, 40 by default).</li>
 * </ul>
 * The fourth argument picks the subscribers' transport: WebSocket ({@code /ws}, the default) or SSE
 * ({@code GET /events?topics=…}); events are published to Herald over a WebSocket either way. The fifth
 * picks the server: {@code herald} (the default; {@code /ws} is the portable Jakarta endpoint),
 * {@code herald-core} (the same with {@code /ws} on Jetty's core WebSocket API; WebSocket only),
 * {@code herald-tomcat} (Herald on embedded Tomcat, the Jakarta endpoint and SSE, from
 * {@code benchmarks-tomcat.jar}), {@code herald-tomcat-upgrade} (the same with {@code /ws} served by
 * {@code HeraldServletWebSocket} on the servlet upgrade; WebSocket only), {@code jetty-loop} ({@link JettyLoopServer}), {@code nchan} (nginx with
 * Nchan), {@code socketio} (Socket.IO 4 on Node.js, each topic a room; WebSocket only), several of these
 * separated by commas, or {@code all} (every one but the two on Tomcat; Nchan and Herald only for SSE).
 * Several servers run the scenario in turn on this same load generator, and a table then gives every figure's
 * ratio to Nchan's (when Nchan ran).
 */
public final class LoadScenario {
    /** The unit of the CPU times in {@code /proc/<pid>/stat}: {@code getconf CLK_TCK}, 100 on Linux. */
    private static final long CLOCK_TICKS_PER_SECOND = clockTicksPerSecond();
    /** Publishing before measuring flat out; the fixed-rate and many-topics scenarios take longer, as below. */
    private static final int WARMUP_SECONDS = 5;
    /**
     * At 20 events a second the per-event path (reading a publish, checking it, queueing it) runs only 100
     * times in 5 s, far below C2's thresholds: a profile of the measured 20 s after a 5 s warm-up had the
     * C2 compiler at 12.8 % of the server's CPU, and after 30 s at 3–7 %. Warming up flat out instead
     * compiled for a different profile (batches), and the server then spent more time in user code while
     * measured (9.3–11.0 against 7.9–8.5 µs per delivery).
     */
    private static final int RATE_WARMUP_SECONDS = 30;
    /**
     * Pinned to one CPU, a server compiles its hot code on the same core it serves from, and 10,000
     * handshakes plus per-topic paths keep the compiler busy well past 5 s (C2 was ~25 % of a profile
     * and the result swung 50–255 µs per delivery). 15 s was not always enough either: the Jakarta endpoint
     * measured 48–55 µs in some runs and 117–207 µs in others, and a JFR recording of the core-API endpoint
     * showed C2 compiling Herald's publish path until about 35 s after the server started. 30 s of warm-up
     * gives steady figures for every server.
     */
    private static final int TOPICS_WARMUP_SECONDS = 30;
    /**
     * A fixed warm-up was not always enough. The server compiles its hot code with C2, on the one core it is
     * pinned to when it is, and a slow minute on this shared machine pushes that past the warm-up:
     * a profile of {@code topics 10000 10 ws herald-core} found the compiler threads at 29 % of the
     * server's samples during the measured 10 s, after 30 s of warm-up. So a JVM server's warm-up goes on,
     * in steps of this many seconds, until its compiler threads use at most {@link #JIT_QUIET_TICKS} in one
     * step, or for at most {@link #JIT_WARMUP_MAX_SECONDS} more.
     */
    private static final int JIT_STEP_SECONDS = 5;
    /** 2 % of one CPU over a step. */
    private static final long JIT_QUIET_TICKS = JIT_STEP_SECONDS * CLOCK_TICKS_PER_SECOND / 50;
    private static final int JIT_WARMUP_MAX_SECONDS = 90;

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
        LoadClient.Mode mode = args.length > 3 && args[3].equalsIgnoreCase("sse") ? LoadClient.Mode.SSE
                : LoadClient.Mode.WEBSOCKET;
        String servers = args.length > 4 ? args[4].toLowerCase(java.util.Locale.ROOT) : "herald";
        // flat out, where the two sides would otherwise contend for the same cores (see Cpus)
        System.out.println(Cpus.pins(scenario.equals("fanout") || scenario.equals("topics"))
                ? Cpus.pinLoadGenerator() : "cpus: not pinned (" + scenario + ")");
        List<Peer.Kind> kinds = switch (servers) {
            case "all" -> mode == LoadClient.Mode.SSE ? List.of(Peer.Kind.HERALD, Peer.Kind.NCHAN)
                    : List.of(Peer.Kind.HERALD, Peer.Kind.HERALD_CORE, Peer.Kind.JETTY_LOOP, Peer.Kind.NCHAN,
                            Peer.Kind.SOCKETIO);
            default -> Stream.of(servers.split(",")).map(LoadScenario::server).toList();
        };
        if (mode == LoadClient.Mode.SSE && kinds.contains(Peer.Kind.HERALD_CORE)) {
            throw new IllegalArgumentException("herald-core is Herald's WebSocket endpoint on Jetty's core API; "
                    + "its SSE is the same as herald's");
        }
        if (mode == LoadClient.Mode.SSE && kinds.contains(Peer.Kind.HERALD_TOMCAT_UPGRADE)) {
            throw new IllegalArgumentException("herald-tomcat-upgrade is Herald's WebSocket on Tomcat's servlet "
                    + "upgrade; its SSE is the same as herald-tomcat's");
        }
        if (mode == LoadClient.Mode.SSE && kinds.contains(Peer.Kind.JETTY_LOOP)) {
            throw new IllegalArgumentException("the Jetty loop serves WebSocket only");
        }
        if (mode == LoadClient.Mode.SSE && kinds.contains(Peer.Kind.SOCKETIO)) {
            throw new IllegalArgumentException("Socket.IO is not an SSE server: its subscribers use WebSocket");
        }
        List<Result> results = new ArrayList<>();
        for (Peer.Kind kind : kinds) {
            try (Peer peer = Peer.start(kind, javaServerArgs(scenario))) {
                if (scenario.equals("idle")) {
                    idle(connections, mode, peer);
                } else {
                    results.add(run(scenario, connections, seconds, mode, peer));
                }
            }
        }
        if (results.size() > 1) {
            compare(results);
        }
    }

    /** @return the server a name such as {@code herald-core} names */
    private static Peer.Kind server(String name) {
        try {
            return Peer.Kind.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no server named '" + name.trim() + "': name herald, herald-core, "
                    + "herald-tomcat, herald-tomcat-upgrade, jetty-loop, nchan or socketio, several separated by commas, or all", e);
        }
    }

    /** One server's figures from one run. */
    private record Result(String server, double deliveriesPerSecond, long p50, long p99, long p999, long max,
            double cpuMicros, long missing, long lost, long duplicated, long closed) {
    }

    /** Prints the servers side by side, each figure also as a ratio to Nchan's (when Nchan ran). */
    private static void compare(List<Result> results) {
        Result nchan = results.stream().filter(r -> r.server.startsWith("nchan")).findFirst().orElse(null);
        System.out.println();
        System.out.println("| server | deliveries/s | p50 ms | p99 ms | p999 ms | max ms | server CPU µs/delivery "
                + "| missing/lost/dup/closed |" + (nchan == null ? "" : " deliveries/s vs Nchan | CPU vs Nchan |"));
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
                + (nchan == null ? "" : " ---: | ---: |"));
        for (Result r : results) {
            System.out.printf("| %s | %,.0f | %.1f | %.1f | %.1f | %.1f | %.2f | %d/%d/%d/%d |%s%n", r.server,
                    r.deliveriesPerSecond, r.p50 / 1000.0, r.p99 / 1000.0, r.p999 / 1000.0, r.max / 1000.0,
                    r.cpuMicros, r.missing, r.lost, r.duplicated, r.closed,
                    nchan == null ? "" : String.format(" %.2f× | %.2f× |",
                            r.deliveriesPerSecond / nchan.deliveriesPerSecond, r.cpuMicros / nchan.cpuMicros));
        }
    }

    /**
     * One per CPU this process may use (so one when pinned), unless {@code -Dbench.clientThreads} says.
     * Unpinned at 20 events a second, a single client thread was the critical path: reading 1,000 frames
     * costs it about 6 ms of CPU per event, and it could not start until a CPU was free.
     */
    private static int clientThreads() {
        return Integer.getInteger("bench.clientThreads", Runtime.getRuntime().availableProcessors());
    }

    /** Opens subscribers: each on {@code topicOf(i)}, over the given transport. */
    private static LoadClient subscribers(Peer peer, LoadClient.Mode mode, int connections,
            IntFunction<String> topicOf, long epoch) throws IOException {
        LoadClient client = new LoadClient(epoch, mode, peer.subprotocol(), peer.framing(), clientThreads());
        client.connect(peer.address, i -> peer.subscriberPath(mode, topicOf.apply(i)), connections,
                i -> peer.subscribeMessage(mode, topicOf.apply(i)), 60_000);
        if (client.upgradedCount() < connections || client.closedByServer.get() > 0) {
            client.close();
            throw new IllegalStateException("only " + client.upgradedCount() + " of " + connections + " connected; "
                    + client.closedByServer.get() + " ended, the first with " + client.firstFailure);
        }
        return client;
    }

    private static Result run(String scenario, int connections, int seconds, LoadClient.Mode mode, Peer peer)
            throws Exception {
        boolean topics = scenario.equals("topics");
        if (topics && peer.kind == Peer.Kind.JETTY_LOOP) {
            throw new IllegalArgumentException("the Jetty loop has no topics");
        }
        double rate = scenario.equals("latency") ? 20 : 0;
        long epoch = System.nanoTime();
        try (LoadClient client = subscribers(peer, mode, connections, i -> topics ? "bench.t" + i : "bench.all",
                epoch)) {
            long recipients = topics ? 1 : connections;
            try (Publisher publisher = peer.publisher(epoch, 100)) {
                // flat out: at most 64 undelivered events per subscriber, and at most 4,096 undelivered
                // events in all, so queues (and latency) stay bounded when every event has one recipient
                long window = Math.min(64L * connections, 4_096L * recipients);
                long base = client.delivered.get();
                LongUnaryOperator undelivered = n -> n * recipients - (client.delivered.get() - base);
                int warmup = Integer.getInteger("bench.warmupSeconds",
                        topics ? TOPICS_WARMUP_SECONDS : rate > 0 ? RATE_WARMUP_SECONDS : WARMUP_SECONDS);
                EventSpread spread = rate > 0 && !topics
                        ? new EventSpread((int) (rate * (warmup + JIT_WARMUP_MAX_SECONDS + seconds)) + 64) : null;
                client.trackEvents(spread);
                long next = publisher.run(TimeUnit.SECONDS.toNanos(warmup), rate, window,
                        n -> topicOf(topics, n, connections), n -> seqOf(topics, n, connections), undelivered, 0);
                // a JIT still compiling would be measured with the server: go on until it is quiet
                int extra = 0;
                for (long used = Long.MAX_VALUE; used > JIT_QUIET_TICKS && extra < JIT_WARMUP_MAX_SECONDS
                        && peer.kind.jvm(); extra += JIT_STEP_SECONDS) {
                    Map<Long, Long> jitBefore = peer.compilerTicks();
                    next = publisher.run(TimeUnit.SECONDS.toNanos(JIT_STEP_SECONDS), rate, window,
                            n -> topicOf(topics, n, connections), n -> seqOf(topics, n, connections), undelivered,
                            next);
                    used = peer.compilerTicksSince(jitBefore);
                }
                System.out.printf("warm-up: %d s%s%n", warmup + extra, peer.kind.jvm()
                        ? String.format(", the last %d s with the JIT compilers using at most %d %% of a CPU",
                                JIT_STEP_SECONDS, JIT_QUIET_TICKS * 100 / (JIT_STEP_SECONDS * CLOCK_TICKS_PER_SECOND))
                        : "");
                if (!drain(client, base, next * recipients) || client.lost.get() > 0 || client.duplicated.get() > 0
                        || client.closedByServer.get() > 0) {
                    System.out.printf("WARNING: warm-up of %s not clean: %d of %d deliveries missing after 10 s, "
                            + "lost=%d duplicated=%d closedByServer=%d%n", peer.label(mode),
                            next * recipients - (client.delivered.get() - base), next * recipients, client.lost.get(),
                            client.duplicated.get(), client.closedByServer.get());
                }
                client.resetLatency();
                long lostBefore = client.lost.get();
                long duplicatedBefore = client.duplicated.get();
                long[] cpuBefore = peer.cpuTicks();
                long[] clientBefore = Peer.ownCpuTicks();
                Map<Long, Long> jitBefore = peer.compilerTicks();
                long deliveredBefore = client.delivered.get();
                long closedBefore = client.closedByServer.get();
                long start = System.nanoTime();
                long end = publisher.run(TimeUnit.SECONDS.toNanos(seconds), rate, window,
                        n -> topicOf(topics, n, connections), n -> seqOf(topics, n, connections), undelivered, next);
                long published = end - next;
                long expected = published * recipients;
                drain(client, deliveredBefore, expected);
                double elapsed = (System.nanoTime() - start) / 1e9;
                long[] cpuAfter = peer.cpuTicks();
                long[] clientAfter = Peer.ownCpuTicks();
                long cpuTicks = cpuAfter[0] + cpuAfter[1] - cpuBefore[0] - cpuBefore[1];
                long sysTicks = cpuAfter[1] - cpuBefore[1];
                long delivered = client.delivered.get() - deliveredBefore;
                String label = peer.label(mode);
                report(scenario + " " + label, connections, seconds, published, expected, delivered, elapsed, cpuTicks,
                        sysTicks, client, client.lost.get() - lostBefore, client.duplicated.get() - duplicatedBefore);
                long clientTicks = clientAfter[0] + clientAfter[1] - clientBefore[0] - clientBefore[1];
                System.out.printf("load generator CPU: %.2f s, %.2f µs per delivery%n",
                        clientTicks / (double) CLOCK_TICKS_PER_SECOND,
                        delivered == 0 ? 0 : clientTicks * 1e6 / CLOCK_TICKS_PER_SECOND / delivered);
                if (rate > 0 && published > 0) {
                    // both processes share the machine's cores: an event's last delivery can come no sooner
                    // than the CPU the two spend on it, spread over every core
                    double perEventMs = (cpuTicks + clientTicks) * 1e3 / CLOCK_TICKS_PER_SECOND / published;
                    int cores = Runtime.getRuntime().availableProcessors();
                    System.out.printf("server and load generator: %.2f ms of CPU per event, %.2f ms on %d cores%n",
                            perEventMs, perEventMs / cores, cores);
                }
                if (peer.kind.jvm()) {
                    System.out.printf("JIT compilers: %.2f s of the server's CPU%n",
                            peer.compilerTicksSince(jitBefore) / (double) CLOCK_TICKS_PER_SECOND);
                }
                if (rate > 0) {
                    System.out.printf("publisher: at most %.2f ms late (latency counts from when each event was due)%n",
                            publisher.maxLagNanos() / 1e6);
                }
                if (spread != null) {
                    System.out.println(spread.summary(next, end));
                }
                Histogram h = client.latency();
                return new Result(label, delivered / elapsed, h.quantile(0.5), h.quantile(0.99), h.quantile(0.999),
                        h.max(), delivered == 0 ? 0 : cpuTicks * 1e6 / CLOCK_TICKS_PER_SECOND / delivered,
                        expected - delivered, client.lost.get() - lostBefore,
                        client.duplicated.get() - duplicatedBefore, client.closedByServer.get() - closedBefore);
            }
        }
    }

    /**
     * Holds idle subscribers and reports what they cost the server: resident memory and heap (after a full
     * collection: the JVM's, or V8's for Socket.IO) and threads, against a baseline taken after the same
     * number came and went.
     */
    private static void idle(int connections, LoadClient.Mode mode, Peer peer) throws Exception {
        long pid = peer.pid();
        // one process holding every connection (nginx's are in its workers)
        boolean oneProcess = peer.kind != Peer.Kind.NCHAN;
        long epoch = System.nanoTime();
        long fdsBefore = openFiles(pid);
        try (LoadClient warmup = subscribers(peer, mode, connections, i -> "bench.idle" + i, epoch)) {
            TimeUnit.SECONDS.sleep(2);
        }
        // wait (at most 60 s) until the server released the warm-up connections
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (oneProcess && openFiles(pid) > fdsBefore + 50 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        TimeUnit.SECONDS.sleep(2);
        Footprint before = Footprint.of(peer);
        boolean histograms = peer.kind.jvm() && Boolean.getBoolean("bench.histogram");
        Map<String, long[]> baseline = histograms ? classHistogram(pid) : null;
        try (LoadClient client = subscribers(peer, mode, connections, i -> "bench.idle" + i, epoch)) {
            TimeUnit.SECONDS.sleep(3);
            Footprint held = Footprint.of(peer);
            if (histograms) {
                printHistogramDelta(baseline, classHistogram(pid), connections);
            }
            System.out.printf("scenario=idle %s connections=%d (all open: %d, closed by the server: %d)%n",
                    peer.label(mode), connections, client.upgradedCount(), client.closedByServer.get());
            // per connection the server still holds: one it closed costs it nothing
            double open = Math.max(1, connections - client.closedByServer.get());
            System.out.printf("server RSS: %.1f MiB before, %.1f MiB held: %.2f KiB per connection held%n",
                    before.rssKiB / 1024.0, held.rssKiB / 1024.0, (held.rssKiB - before.rssKiB) / open);
            if (before.heapKiB >= 0 && held.heapKiB >= 0) {
                System.out.printf("server %s after full GC: %.1f MiB before, %.1f MiB held: %.2f KiB per connection "
                        + "held%n", peer.kind.jvm() ? "heap" : "V8 heap", before.heapKiB / 1024.0,
                        held.heapKiB / 1024.0, (held.heapKiB - before.heapKiB) / open);
            }
            System.out.printf("server threads: %d before, %d held%n", before.threads, held.threads);
        }
    }

    /** @return class name → {instances, bytes} from {@code jcmd GC.class_histogram} (which collects first) */
    private static Map<String, long[]> classHistogram(long pid) throws IOException, InterruptedException {
        Map<String, long[]> classes = new HashMap<>();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
        for (String line : Footprint.jcmd(pid, "GC.class_histogram").split("\n")) {
            java.util.regex.Matcher m = row.matcher(line);
            if (m.matches()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return classes;
    }

    /** Prints the classes whose heap grew most between two histograms, per connection. */
    private static void printHistogramDelta(Map<String, long[]> before, Map<String, long[]> after,
            int connections) {
        record Row(String name, long instances, long bytes) {
        }
        List<Row> rows = new ArrayList<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            rows.add(new Row(e.getKey(), e.getValue()[0] - b[0], e.getValue()[1] - b[1]));
        }
        rows.sort((x, y) -> Long.compare(y.bytes, x.bytes));
        long total = rows.stream().mapToLong(Row::bytes).sum();
        System.out.printf("class histogram, per connection (total %.0f bytes):%n", total / (double) connections);
        System.out.println("| bytes/conn | objects/conn | class |");
        System.out.println("| ---: | ---: | --- |");
        for (Row r : rows.subList(0, Math.min(Integer.getInteger("bench.histogramRows", 40), rows.size()))) {
            System.out.printf("| %.0f | %.2f | %s |%n", r.bytes / (double) connections,
                    r.instances / (double) connections, r.name);
        }
    }

    private static long openFiles(long pid) throws IOException {
        try (var files = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return files.count();
        }
    }

    /**
     * A server's resident memory (all its processes), heap in use after a full collection (-1 for nginx),
     * and threads.
     */
    private record Footprint(long rssKiB, long heapKiB, int threads) {
        static Footprint of(Peer peer) throws IOException, InterruptedException {
            long heapKiB = -1;
            if (peer.kind == Peer.Kind.SOCKETIO) {
                heapKiB = peer.nodeHeapAfterGcKiB();
            } else if (peer.kind.jvm()) {
                jcmd(peer.pid(), "GC.run");
                String heap = jcmd(peer.pid(), "GC.heap_info");
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(heap);
                heapKiB = m.find() ? Long.parseLong(m.group(1)) : -1;
            }
            long rss = 0;
            int threads = 0;
            for (long pid : peer.allPids()) {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss += Long.parseLong(line.replaceAll("\\D+", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads += Integer.parseInt(line.replaceAll("\\D+", ""));
                    }
                }
            }
            return new Footprint(rss, heapKiB, threads);
        }

        static String jcmd(long pid, String command) throws IOException, InterruptedException {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            return Processes.run(Duration.ofSeconds(60), List.of(jcmd, Long.toString(pid), command)).output();
        }
    }

    private static String topicOf(boolean topics, long n, int connections) {
        return topics ? "bench.t" + (n % connections) : "bench.all";
    }

    private static long seqOf(boolean topics, long n, int connections) {
        return topics ? n / connections : n;
    }

    /**
     * Waits (at most 10 s) until {@code expected} deliveries after {@code base} arrived.
     *
     * @return whether they all did
     */
    private static boolean drain(LoadClient client, long base, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.delivered.get() - base < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return client.delivered.get() - base >= expected;
    }

    private static long clockTicksPerSecond() {
        try {
            Processes.Result r = Processes.run(Duration.ofSeconds(10), List.of("getconf", "CLK_TCK"));
            if (r.exitCode() == 0) {
                return Long.parseLong(r.output().trim());
            }
            System.out.println("getconf CLK_TCK failed, taking 100 ticks a second: " + r.output().trim());
        } catch (IOException | NumberFormatException e) {
            System.out.println("getconf CLK_TCK failed, taking 100 ticks a second: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    /**
     * Options for a Java server's JVM in this scenario. Idle: a short heartbeat, as in production, so streams
     * whose client left are noticed and released (an SSE server learns of a closed stream only when it writes
     * to it); the heap is not pre-touched there, since the resident memory is what that scenario measures.
     * Every other scenario measures a server in its steady state, so the heap's pages are touched at start
     * ({@code -XX:+AlwaysPreTouch}; {@code -Dbench.pretouch=false} turns it off): otherwise the first write
     * to each page of a fixed 1 GiB heap is a page fault, which a server that has run for a few minutes no
     * longer pays, and which lands in whichever measured second the allocation first reaches a new region
     * (2–12 % of the server's CPU in ten-second windows of the many-topics run, session 16).
     *
     * <p>At a fixed rate the heap is 256 MiB ({@code -Dbench.latencyHeap} overrides), which 1,000 subscribers
     * and the history leave mostly free. With 1 GiB pre-touched, the server on this machine stalled about every
     * 0.5 s: the first delivery of one event in ten came 6–30 ms late (its median is 1 ms), in writes that took
     * 10–36 ms on every writing thread at once, with no other thread of the server running, no long safepoint
     * and at most one short collection; the p99 was 1.2–1.6 times what it is without. Neither 1 GiB untouched nor 256 MiB touched did it. This host's kernel samples
     * physical memory for cold pages every 500 ms (DAMON, {@code paddr}), which is the likeliest cause; Nchan,
     * a small process, showed it once in a run.
     */
    static List<String> javaServerArgs(String scenario) {
        if (scenario.equals("idle")) {
            return List.of("-Dbench.heartbeatMs=2000");
        }
        List<String> args = new ArrayList<>();
        if (scenario.equals("latency")) {
            String heap = System.getProperty("bench.latencyHeap", "256m");
            args.addAll(List.of("-Xms" + heap, "-Xmx" + heap));
        }
        if (Boolean.parseBoolean(System.getProperty("bench.pretouch", "true"))) {
            args.add("-XX:+AlwaysPreTouch");
        }
        return args;
    }

    private static void report(String scenario, int connections, int seconds, long published, long expected,
            long delivered, double elapsed, long cpuTicks, long sysTicks, LoadClient client, long lost, long duplicated) {
        Histogram h = client.latency();
        double cpuMicrosPerDelivery = delivered == 0 ? 0 : cpuTicks * 1e6 / CLOCK_TICKS_PER_SECOND / delivered;
        System.out.printf("scenario=%s connections=%d seconds=%d%n", scenario, connections, seconds);
        System.out.printf("published=%d expectedDeliveries=%d delivered=%d missing=%d lost(gaps)=%d duplicated=%d "
                + "closedByServer=%d%n", published, expected, delivered, expected - delivered, lost,
                duplicated, client.closedByServer.get());
        System.out.printf("deliveries/s=%.0f (over %.1f s including drain)%n", delivered / elapsed, elapsed);
        System.out.printf("latency µs: p50=%d p99=%d p999=%d max=%d (n=%d)%n", h.quantile(0.5), h.quantile(0.99),
                h.quantile(0.999), h.max(), h.count());
        System.out.printf("server CPU: %.2f s (%.0f %% in the kernel), %.2f µs per delivery%n",
                cpuTicks / (double) CLOCK_TICKS_PER_SECOND, cpuTicks == 0 ? 0 : 100.0 * sysTicks / cpuTicks,
                cpuMicrosPerDelivery);
    }
}
