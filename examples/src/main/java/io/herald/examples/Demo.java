package io.herald.examples;

import java.io.PrintStream;

/**
 * The entry point of {@code herald-demo.jar}: the embedded single-node demo with its live dashboard.
 * {@code --help} prints the options.
 */
public final class Demo {
    private Demo() {
    }

    /**
     * Starts the demo and serves until the process is stopped (Ctrl-C or SIGTERM), then closes the hub —
     * clients get 1001 {@code shutdown} — and stops the HTTP server.
     *
     * @param args the command line, see {@code --help}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            System.err.println("herald-demo: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        DemoServer server = new DemoServer(options, true);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "herald-demo-shutdown"));
        printBanner(System.out, options, server.port());
        server.app().printHelp(System.out, server.port());
    }

    private static void stop(DemoServer server) {
        System.out.println("herald-demo: shutting down (clients get 1001 shutdown)");
        try {
            server.close();
        } catch (Exception e) {
            System.err.println("herald-demo: shutdown failed: " + e);
        }
    }

    private static void printBanner(PrintStream out, DemoOptions options, int port) {
        if (options.open()) {
            out.println("WARNING: --open: any client may publish to any topic. Do not expose this server.");
        }
        out.println("Herald demo is running (one node, in memory)"
                + (options.example() == null ? "." : ": example " + options.example() + "."));
        if (options.example() == null) {
            out.println("  Open      http://localhost:" + port + "/");
        }
        out.println("  WebSocket ws://localhost:" + port + DemoServer.WS_PATH);
        out.println("  SSE       http://localhost:" + port + DemoServer.SSE_PATH);
        out.println("Listening on 127.0.0.1 only: the demo sign-in (token user:<name>) has no password.");
        out.println("Press Ctrl-C to stop.");
    }
}
