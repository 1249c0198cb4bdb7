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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A server under test, started as its own process on loopback so the load generator can read its CPU
 * time: Herald ({@link BenchServer}), the hand-written Jetty loop ({@link JettyLoopServer}) or nginx with
 * Nchan (Debian's {@code nginx} and {@code libnginx-mod-nchan}; WebSocket or EventSource subscribers, an
 * HTTP POST publisher). Each knows how its subscribers connect and how events are published to it.
 */
final class Peer implements AutoCloseable {
    /** The servers the load generator can drive. */
    enum Kind {
        /** Herald on embedded Jetty: {@code /ws} with a subscribe message, or {@code /events?topics=}. */
        HERALD,
        /** A Jakarta endpoint on Jetty that sends every message it gets to all other sessions. */
        JETTY_LOOP,
        /** nginx with Nchan: {@code /sub/<channel>}, published with {@code POST /pub/<channel>}. */
        NCHAN
    }

    private static final String NGINX = "/usr/sbin/nginx";
    private static final String NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so";

    final Kind kind;
    final InetSocketAddress address;
    private final Process process;
    private final Path workDir;

    private Peer(Kind kind, Process process, int port, Path workDir) {
        this.kind = kind;
        this.process = process;
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.workDir = workDir;
    }

    /**
     * Starts a server and waits until it accepts connections.
     *
     * @param jvmArgs extra options for a Java server's JVM
     */
    static Peer start(Kind kind, List<String> jvmArgs) throws IOException, InterruptedException {
        return switch (kind) {
            case HERALD -> java(kind, BenchServer.class.getName(), jvmArgs);
            case JETTY_LOOP -> java(kind, JettyLoopServer.class.getName(), jvmArgs);
            case NCHAN -> nchan();
        };
    }

    private static Peer java(Kind kind, String mainClass, List<String> jvmArgs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g"));
        cmd.addAll(jvmArgs);
        String extra = System.getProperty("bench.serverJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass, "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new Peer(kind, p, awaitReady(p), null);
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
        Process p = new ProcessBuilder(NGINX, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return new Peer(Kind.NCHAN, p, port, dir);
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
        throw new IOException("the server exited before it was ready");
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
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            sum[0] += Long.parseLong(f[11]);
            sum[1] += Long.parseLong(f[12]);
        }
        return sum;
    }

    /** @return the server's process and its children (nginx's workers) */
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
            case HERALD -> mode == LoadClient.Mode.SSE ? "/events?topics=" + topic : "/ws";
            case JETTY_LOOP -> "/loop";
            case NCHAN -> "/sub/" + topic;
        };
    }

    /** @return the message a WebSocket subscriber sends once connected, or {@code null} for none */
    String subscribeMessage(LoadClient.Mode mode, String topic) {
        return kind == Kind.HERALD && mode == LoadClient.Mode.WEBSOCKET
                ? "{\"type\":\"subscribe\",\"topics\":[\"" + topic + "\"]}" : null;
    }

    /** @return the WebSocket subprotocol subscribers offer, or {@code null} */
    String subprotocol() {
        return kind == Kind.HERALD ? "herald.v1" : null;
    }

    /** @return a publisher of ~{@code payloadBytes}-byte events to this server */
    Publisher publisher(long epochNanos, int payloadBytes) throws IOException {
        Publisher.Format format = switch (kind) {
            case HERALD -> Publisher.Format.HERALD;
            case JETTY_LOOP -> Publisher.Format.RAW_WEBSOCKET;
            case NCHAN -> Publisher.Format.HTTP_POST;
        };
        return new Publisher(address, format, epochNanos, payloadBytes);
    }

    /** @return a short name for reports */
    String label(LoadClient.Mode mode) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + "/" + (mode == LoadClient.Mode.SSE ? "sse" : "ws");
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
