package io.herald.examples;

import java.util.List;
import java.util.Set;

/**
 * The demo's command line, parsed. A bad command line throws {@link IllegalArgumentException} with a
 * message meant for the user.
 *
 * @param port the HTTP port; 0 picks a free one
 * @param open whether any client may publish to any topic
 * @param example the seed example to run, or {@code null} for the dashboard
 * @param help whether {@code --help} was given
 */
record DemoOptions(int port, boolean open, String example, boolean help) {
    /** The seed examples this build contains, in the order {@code --help} lists them. */
    static final List<String> EXAMPLES = List.copyOf(Examples.SEEDS.keySet());

    static final String USAGE = String.join("\n",
            "Usage: java -jar examples/target/herald-demo.jar [options]",
            "",
            "  --port N         HTTP port for the page, /ws and /events (default 8080; 0 picks a free port)",
            "  --open           open policy: any client may publish to any topic (printed as a warning)",
            "  --redis URL      run as one node of a Redis-backed cluster (not available yet)",
            "  --example NAME   run a seed system's example instead of the dashboard:",
            exampleLines(),
            "  --help           print this text");

    private static String exampleLines() {
        StringBuilder lines = new StringBuilder();
        Examples.SEEDS.forEach((name, app) -> lines.append(lines.length() == 0 ? "" : "\n")
                .append(String.format("                     %-9s %s", name, app.get().summary())));
        return lines.toString();
    }

    private static final Set<String> VALUE_FLAGS = Set.of("--port", "--redis", "--example");

    /**
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException on an unknown flag, a missing or bad value
     * @throws UnsupportedOperationException when {@code --redis} is given
     */
    static DemoOptions parse(String... args) {
        int port = 8080;
        boolean open = false;
        boolean help = false;
        String example = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            if (VALUE_FLAGS.contains(flag)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args[++i];
            }
            switch (flag) {
                case "--port" -> port = parsePort(value);
                case "--open" -> open = true;
                case "--help", "-h" -> help = true;
                case "--example" -> example = parseExample(value);
                case "--redis" -> throw new UnsupportedOperationException("--redis " + value
                        + ": the Redis bridge is not available yet (herald-redis-bridge is still a placeholder);"
                        + " run without --redis for the single-node demo");
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new DemoOptions(port, open, example, help);
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("--port must be 0..65535, was " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number, was " + value, e);
        }
    }

    private static String parseExample(String value) {
        if (!EXAMPLES.contains(value)) {
            throw new IllegalArgumentException("no example named " + value + "; available: "
                    + (EXAMPLES.isEmpty() ? "none yet" : String.join(", ", EXAMPLES)));
        }
        return value;
    }
}
