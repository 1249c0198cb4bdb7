package io.herald.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server under test, started as its own process on loopback so the load generator can read its CPU
 * time: Herald ({@link BenchServer}), the hand-written Jetty loop ({@link JettyLoopServer}), nginx with
 * Nchan (Debian's {@code nginx} and {@code libnginx-mod-nchan}; WebSocket or EventSource subscribers, an
 * HTTP POST publisher) or Socket.IO 4 on Node.js ({@code src/main/node/socketio-peer}, installed with npm
 * on first use). Each knows how its subscribers connect and how events are published to it.
 */
final class Peer implements AutoCloseable {
    /** The servers the load generator can drive. */
    enum Kind {
        /**
         * Herald on embedded Jetty: {@code /ws} (the portable Jakarta endpoint) with a subscribe message, or
         * {@code /events?topics=}.
         */
        HERALD,
        /** The same server with {@code /ws} on Jetty's core WebSocket API ({@code HeraldJettyWebSocket}). */
        HERALD_CORE,
        /**
         * Herald on embedded Tomcat: the same hub, {@code /ws} the portable Jakarta endpoint and
         * {@code /events}, from its own jar ({@code benchmarks-tomcat.jar}, see {@link #tomcatJar()}).
         */
        HERALD_TOMCAT,
        /**
         * The same Tomcat server with {@code /ws} served by Herald's own WebSocket on the servlet upgrade
         * ({@code HeraldServletWebSocket}) instead of the Jakarta endpoint.
         */
        HERALD_TOMCAT_UPGRADE,
        /** A Jakarta endpoint on Jetty that sends every message it gets to all other sessions. */
        JETTY_LOOP,
        /** nginx with Nchan: {@code /sub/<channel>}, published with {@code POST /pub/<channel>}. */
        NCHAN,
        /**
         * Socket.IO 4 on Node.js, WebSocket transport only: a subscriber emits {@code subscribe} with a room,
         * the publisher {@code publish} with a room and an event, broadcast to the room as {@code event}.
         */
        SOCKETIO;

        /** @return whether the server is a JVM (so jcmd can inspect it) */
        boolean jvm() {
            return herald() || this == JETTY_LOOP;
        }

        /** @return whether the server is Herald's, on any container or endpoint */
        boolean herald() {
            return this == HERALD || this == HERALD_CORE || this == HERALD_TOMCAT || this == HERALD_TOMCAT_UPGRADE;
        }
    }

    /** The files of the Socket.IO peer, bundled in the jar under {@code socketio-peer/}. */
    private static final List<String> SOCKETIO_FILES = List.of("package.json", "package-lock.json", "server.js");
    /** The Engine.IO 4 WebSocket endpoint of a Socket.IO server. */
    static final String SOCKETIO_PATH = "/socket.io/?EIO=4&transport=websocket";

    /** This load generator's class path, which also runs Herald on Jetty and the Jetty loop. */
    private static final String OWN_CLASS_PATH = System.getProperty("java.class.path");
    /**
     * Herald's server on Jetty: this jar's, or another build's ({@code -Dbench.serverClassPath=…}), so that two
     * builds of the server can be compared under one load client.
     */
    private static final String HERALD_CLASS_PATH = System.getProperty("bench.serverClassPath", OWN_CLASS_PATH);
    /** Herald's server on Tomcat, in {@code benchmarks-tomcat.jar} (a module this one cannot depend on). */
    private static final String TOMCAT_SERVER = "io.herald.benchmarks.tomcat.TomcatBenchServer";
    private static final String NGINX = "/usr/sbin/nginx";
    private static final String NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so";
    /** How long a server may take to print {@code READY}: a JVM or Node.js starts in seconds. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    final Kind kind;
    final InetSocketAddress address;
    private final Process process;
    private final Path workDir;
    /** Answers the server printed to a command (the Socket.IO peer's {@code HEAP} lines). */
    private final BlockingQueue<String> replies;

    private Peer(Kind kind, Process process, int port, Path workDir, BlockingQueue<String> replies) {
        this.kind = kind;
        this.process = process;
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.workDir = workDir;
        this.replies = replies;
    }

    /**
     * Starts a server and waits until it accepts connections.
     *
     * @param jvmArgs extra options for a Java server's JVM
     */
    static Peer start(Kind kind, List<String> jvmArgs) throws IOException, InterruptedException {
        return switch (kind) {
            case HERALD -> java(kind, HERALD_CLASS_PATH, BenchServer.class.getName(), jvmArgs);
            case HERALD_CORE -> java(kind, HERALD_CLASS_PATH, BenchServer.class.getName(),
                    Stream.concat(jvmArgs.stream(), Stream.of("-Dbench.ws=core")).toList());
            case HERALD_TOMCAT -> java(kind, tomcatJar().toString(), TOMCAT_SERVER, jvmArgs);
            case HERALD_TOMCAT_UPGRADE -> java(kind, tomcatJar().toString(), TOMCAT_SERVER,
                    Stream.concat(jvmArgs.stream(), Stream.of("-Dbench.ws=upgrade")).toList());
            case JETTY_LOOP -> java(kind, OWN_CLASS_PATH, JettyLoopServer.class.getName(), jvmArgs);
            case NCHAN -> nchan();
            case SOCKETIO -> socketIo();
        };
    }

    /**
     * The Tomcat server's jar: {@code -Dbench.tomcatJar}, or else
     * {@code benchmarks-tomcat/target/benchmarks-tomcat.jar} beside this module's
     * {@code benchmarks/target/benchmarks.jar}.
     *
     * @throws IOException if it is not there, saying how to build it
     */
    static Path tomcatJar() throws IOException {
        String set = System.getProperty("bench.tomcatJar");
        Path jar;
        if (set != null) {
            jar = Path.of(set);
        } else {
            Path own = Path.of(OWN_CLASS_PATH.split(java.io.File.pathSeparator)[0]).toAbsolutePath();
            // benchmarks/target/benchmarks.jar (or benchmarks/target/classes) → benchmarks-tomcat/target/…
            Path module = own.getParent() == null || own.getParent().getParent() == null ? own
                    : own.getParent().getParent();
            jar = module.resolveSibling("benchmarks-tomcat").resolve("target").resolve("benchmarks-tomcat.jar");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IOException("Herald's Tomcat server is not built: no " + jar + " (build it with mvn -q "
                    + "-DskipTests -pl core,transport-jakarta,transport-sse,benchmarks,benchmarks-tomcat -am package, "
                    + "or point -Dbench.tomcatJar at it)");
        }
        return jar;
    }

    private static Peer java(Kind kind, String classPath, String mainClass, List<String> jvmArgs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // G1 named, because on one CPU (pinned, see Cpus) the JVM would pick the serial collector, which is
        // not what a server gets
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC"));
        cmd.addAll(jvmArgs);
        String extra = System.getProperty("bench.serverJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", classPath, mainClass, "0"));
        Process p = new ProcessBuilder(Cpus.server(cmd)).redirectErrorStream(true).start();
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        return new Peer(kind, p, awaitReady(p, replies), null, replies);
    }

    private static Peer nchan() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(NGINX)) || !Files.exists(Path.of(NCHAN_MODULE))) {
            throw new IOException("nginx with Nchan is not installed: apt-get install nginx libnginx-mod-nchan");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("herald-nchan");
        String conf = String.join("\n",
                "load_module " + NCHAN_MODULE + ";",
                "user root;",
                "worker_processes auto;",
                "worker_rlimit_nofile 20000;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events { worker_connections 19000; }",
                "http {",
                "  access_log off;",
                // the publisher's one connection carries every event: nginx would close it after 1,000
                "  keepalive_requests 1000000000;",
                "  keepalive_timeout 600s;",
                "  client_body_temp_path " + dir.resolve("body") + ";",
                "  nchan_shared_memory_size 256m;",
                "  server {",
                "    listen 127.0.0.1:" + port + " backlog=4096;",
                "    location ~ ^/pub/(.+)$ { nchan_publisher; nchan_channel_id $1;"
                        + " nchan_message_buffer_length 16; nchan_message_timeout 30s; }",
                "    location ~ ^/sub/(.+)$ { nchan_subscriber; nchan_channel_id $1; }",
                "  }",
                "}", "");
        Files.writeString(dir.resolve("nginx.conf"), conf);
        Process p = new ProcessBuilder(Cpus.server(List.of(NGINX, "-p", dir.toString(), "-c",
                dir.resolve("nginx.conf").toString(), "-g", "daemon off;"))).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return new Peer(Kind.NCHAN, p, port, dir, new LinkedBlockingQueue<>());
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IOException("nginx exited: " + Files.readString(dir.resolve("stdout.log")));
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("nginx did not start listening on " + port);
    }

    /**
     * Starts Socket.IO: copies the bundled server script and lockfile to {@code socketio-peer/} next to the
     * benchmark jar (so {@code benchmarks/target/socketio-peer}, or {@code -Dbench.socketioDir}), installs
     * the pinned packages there with {@code npm ci} unless that lockfile is installed already, and runs
     * {@code node server.js 0}. {@code --expose-gc} lets the idle scenario ask for a full collection.
     */
    private static Peer socketIo() throws IOException, InterruptedException {
        String node = System.getProperty("bench.node", "node");
        String npm = System.getProperty("bench.npm", "npm");
        Path dir = socketIoDir();
        Files.createDirectories(dir);
        byte[] lock = null;
        for (String name : SOCKETIO_FILES) {
            byte[] bytes;
            try (var in = Peer.class.getResourceAsStream("/socketio-peer/" + name)) {
                if (in == null) {
                    throw new IOException("socketio-peer/" + name + " is not on the class path: build the benchmarks"
                            + " module with mvn package");
                }
                bytes = in.readAllBytes();
            }
            Path file = dir.resolve(name);
            if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
                Files.write(file, bytes);
            }
            if (name.equals("package-lock.json")) {
                lock = bytes;
            }
        }
        requireTool(node, "--version");
        Path stamp = dir.resolve("node_modules").resolve(".herald-installed-lock");
        if (!Files.exists(stamp) || !java.util.Arrays.equals(Files.readAllBytes(stamp), lock)) {
            requireTool(npm, "--version");
            System.out.println("installing the Socket.IO peer's packages into " + dir + " (npm ci)");
            Path log = dir.resolve("npm.log");
            Process install = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!install.waitFor(5, TimeUnit.MINUTES)) {
                install.destroyForcibly();
                throw new IOException("npm ci in " + dir + " did not finish in 5 minutes; see " + log);
            }
            if (install.exitValue() != 0) {
                throw new IOException("npm ci in " + dir + " failed (exit " + install.exitValue() + "): "
                        + Files.readString(log));
            }
            Files.write(stamp, lock);
        }
        Process p = new ProcessBuilder(Cpus.server(List.of(node, "--expose-gc", "server.js", "0", "--stdin-control")))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        try {
            return new Peer(Kind.SOCKETIO, p, awaitReady(p, replies), null, replies);
        } catch (IOException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** @return where the Socket.IO peer is installed: {@code socketio-peer/} beside the jar or classes */
    private static Path socketIoDir() throws IOException {
        String configured = System.getProperty("bench.socketioDir");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        try {
            Path code = Path.of(Peer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.toAbsolutePath().getParent().resolve("socketio-peer");
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where the benchmarks are; set -Dbench.socketioDir", e);
        }
    }

    /** Runs {@code tool args}, failing clearly when it is not installed. */
    private static void requireTool(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool));
        cmd.addAll(List.of(args));
        Processes.Result r;
        try {
            r = Processes.run(Duration.ofSeconds(60), cmd);
        } catch (IOException e) {
            throw new IOException("the Socket.IO peer needs Node.js (18 or later) and npm on the PATH (or"
                    + " -Dbench.node=, -Dbench.npm=): " + e.getMessage(), e);
        }
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: is Node.js (18 or later) with npm installed? "
                    + r.output().trim());
        }
    }

    /**
     * Reads the server's output until it prints {@code READY <port>}, then keeps reading it on a daemon
     * thread (so the pipe never fills), handing lines that answer a command ({@code HEAP …}) to
     * {@code replies}.
     */
    private static int awaitReady(Process server, BlockingQueue<String> replies) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder before = new StringBuilder();
        // a server that neither gets ready nor exits is killed, which ends the read below
        CompletableFuture<Void> ready = new CompletableFuture<>();
        ready.orTimeout(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS).whenComplete((v, timedOut) -> {
            if (timedOut != null) {
                server.destroyForcibly();
            }
        });
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (before.length() < 4_096) {
                before.append(line).append('\n');
            }
            if (line.startsWith("READY ")) {
                ready.complete(null);
                Thread drain = new Thread(() -> {
                    try {
                        for (String more = out.readLine(); more != null; more = out.readLine()) {
                            // keep the child's output pipe from filling up
                            if (more.startsWith("HEAP ")) {
                                replies.add(more);
                            }
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
        throw new IOException(ready.isCompletedExceptionally() ? "the server was not ready within "
                + READY_TIMEOUT.toSeconds() + " s and was killed: " + before
                : "the server exited before it was ready: " + before);
    }

    /**
     * Asks the Socket.IO peer for a full collection.
     *
     * @return V8's heap in use after it, in KiB
     */
    long nodeHeapAfterGcKiB() throws IOException, InterruptedException {
        if (kind != Kind.SOCKETIO) {
            throw new IllegalStateException(kind + " is not a Node.js server");
        }
        replies.clear();
        var in = process.getOutputStream();
        in.write("gc\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
        String reply = replies.poll(60, TimeUnit.SECONDS);
        if (reply == null) {
            throw new IOException("the Socket.IO peer did not answer gc");
        }
        long bytes = Long.parseLong(reply.substring(5).trim());
        return bytes < 0 ? -1 : bytes / 1024;
    }

    /** @return the main process id (the one to inspect with jcmd, for a Java server) */
    long pid() {
        return process.pid();
    }

    /** @return CPU ticks (user, kernel) of the server: every process of it (nginx's master and workers) */
    long[] cpuTicks() throws IOException {
        long[] sum = new long[2];
        for (long pid : allPids()) {
            String stat;
            try {
                stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            } catch (IOException gone) {
                continue;
            }
            long[] ticks = userAndKernelTicks(stat);
            sum[0] += ticks[0];
            sum[1] += ticks[1];
        }
        return sum;
    }

    /**
     * CPU ticks (user and kernel) of each of a JVM server's JIT compiler threads now alive, by thread id.
     * HotSpot starts and ends compiler threads as the queue of compilations grows and shrinks, so compare two
     * readings with {@link #compilerTicksSince}.
     *
     * @return ticks by thread id; empty for a server that is not a JVM
     */
    Map<Long, Long> compilerTicks() throws IOException {
        Map<Long, Long> ticks = new HashMap<>();
        if (!kind.jvm()) {
            return ticks;
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                // the thread's name, cut to 15 characters: "C2 CompilerThre", "C1 CompilerThre"
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    long[] used = userAndKernelTicks(stat);
                    ticks.put(Long.parseLong(task.getFileName().toString()), used[0] + used[1]);
                }
            }
        }
        return ticks;
    }

    /** @return the user and kernel CPU ticks this process (the load generator) has used so far */
    static long[] ownCpuTicks() throws IOException {
        return userAndKernelTicks(Files.readString(Path.of("/proc/self/stat")));
    }

    /** @return the user and kernel CPU ticks in a process's or thread's {@code stat} line */
    private static long[] userAndKernelTicks(String stat) {
        // the fields after the name, which is in parentheses and may hold spaces: utime and stime are 14th and 15th
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /**
     * @param before an earlier {@link #compilerTicks} reading
     * @return the ticks the JIT compiler threads used since, as far as threads still alive tell (a thread
     *         that ended meanwhile takes its share with it)
     */
    long compilerTicksSince(Map<Long, Long> before) throws IOException {
        long used = 0;
        for (Map.Entry<Long, Long> now : compilerTicks().entrySet()) {
            used += now.getValue() - before.getOrDefault(now.getKey(), 0L);
        }
        return used;
    }

    /** @return the server's process and its children (nginx's workers; node has none) */
    List<Long> allPids() throws IOException {
        List<Long> pids = new ArrayList<>(List.of(process.pid()));
        Path children = Path.of("/proc/" + process.pid() + "/task/" + process.pid() + "/children");
        if (Files.exists(children)) {
            for (String p : Files.readString(children).trim().split("\\s+")) {
                if (!p.isEmpty()) {
                    pids.add(Long.parseLong(p));
                }
            }
        }
        return pids;
    }

    /** @return the request path of a subscriber of {@code topic} */
    String subscriberPath(LoadClient.Mode mode, String topic) {
        return switch (kind) {
            case HERALD, HERALD_CORE, HERALD_TOMCAT, HERALD_TOMCAT_UPGRADE ->
                    mode == LoadClient.Mode.SSE ? "/events?topics=" + topic : "/ws" + batchQuery();
            case JETTY_LOOP -> "/loop";
            case NCHAN -> "/sub/" + topic;
            case SOCKETIO -> SOCKETIO_PATH;
        };
    }

    /** @return the message a WebSocket subscriber sends once connected, or {@code null} for none */
    String subscribeMessage(LoadClient.Mode mode, String topic) {
        if (mode != LoadClient.Mode.WEBSOCKET) {
            return null;
        }
        return switch (kind) {
            case HERALD, HERALD_CORE, HERALD_TOMCAT, HERALD_TOMCAT_UPGRADE -> "{\"type\":\"subscribe\",\"topics\":[\"" + topic + "\"]}";
            // sent once the namespace is connected (an event before that is dropped)
            case SOCKETIO -> "42[\"subscribe\",\"" + topic + "\"]";
            default -> null;
        };
    }

    /** @return how messages sit in the WebSocket frames of this server */
    LoadClient.Framing framing() {
        return kind == Kind.SOCKETIO ? LoadClient.Framing.SOCKET_IO : LoadClient.Framing.PLAIN;
    }

    /** @return the WebSocket subprotocol subscribers offer, or {@code null} */
    String subprotocol() {
        return kind.herald() ? "herald.v1" : null;
    }

    /** @return a publisher of ~{@code payloadBytes}-byte events to this server */
    Publisher publisher(long epochNanos, int payloadBytes) throws IOException {
        Publisher.Format format = switch (kind) {
            case HERALD, HERALD_CORE, HERALD_TOMCAT, HERALD_TOMCAT_UPGRADE -> Publisher.Format.HERALD;
            case JETTY_LOOP -> Publisher.Format.RAW_WEBSOCKET;
            case NCHAN -> Publisher.Format.HTTP_POST;
            case SOCKETIO -> Publisher.Format.SOCKETIO;
        };
        return new Publisher(address, format, epochNanos, payloadBytes);
    }

    /** @return a short name for reports */
    String label(LoadClient.Mode mode) {
        String transport = mode == LoadClient.Mode.SSE ? "sse" : kind.herald() ? "ws" + batchQuery() : "ws";
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + "/" + transport;
    }

    /**
     * @return {@code ?batch=<ms>} when {@code -Dbench.batchMs} asks Herald's WebSocket subscribers for batch
     *     frames (each window's events in one frame), else nothing
     */
    private static String batchQuery() {
        String ms = System.getProperty("bench.batchMs", "").trim();
        return ms.isEmpty() ? "" : "?batch=" + ms;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (workDir != null && Boolean.getBoolean("bench.keepNginxDir")) {
            System.out.println("nginx's configuration and logs are kept in " + workDir);
        } else if (workDir != null) {
            try (var files = Files.walk(workDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
