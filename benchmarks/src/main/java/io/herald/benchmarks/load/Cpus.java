package io.herald.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives the server under test and the load generator CPUs of their own ({@code taskset}): the servers get
 * the upper half of the machine's CPUs, the load generator the lower half. On a shared machine the
 * scheduler otherwise lets one side take the other's time, and a flat-out run then measures that contest:
 * when the subscribers fall behind, events wait in their socket buffers instead of the server's queues,
 * and the server writes each event on its own (or, the other way round, batches more than it would).
 * Pinned, each side runs at its own capacity and the server's CPU time per delivery is its own. By default
 * only the flat-out scenarios pin: at a fixed rate there is no such contest, and a server uses every core it
 * has for a burst. {@code -Dbench.pin=all} pins every scenario (a fixed-rate run then shows the latency of a
 * server whose clients do not share its cores), {@code -Dbench.pin=false} none.
 */
final class Cpus {
    private static final String TASKSET = "/usr/bin/taskset";
    /** Read once, before this process pins itself (after that the JVM counts only the CPUs it may use). */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    /** Set once this process pinned itself: only then are servers pinned too. */
    private static volatile boolean pinned;

    private Cpus() {
    }

    private static boolean enabled() {
        return !System.getProperty("bench.pin", "true").equals("false")
                && CPUS >= 2 && Files.isExecutable(Path.of(TASKSET));
    }

    /**
     * @param flatOut whether the scenario publishes as fast as the subscribers keep up
     * @return whether the scenario runs pinned
     */
    static boolean pins(boolean flatOut) {
        String pin = System.getProperty("bench.pin", "true");
        if (!pin.equals("true") && !pin.equals("false") && !pin.equals("all")) {
            throw new IllegalArgumentException("bench.pin is true (flat-out runs), all or false, not " + pin);
        }
        return pin.equals("all") || flatOut && pin.equals("true");
    }

    private static int all() {
        return CPUS;
    }

    /** @return the CPUs the load generator runs on, as a {@code taskset} list */
    static String client() {
        return "0-" + (all() / 2 - 1);
    }

    /** @return the CPUs servers run on, as a {@code taskset} list */
    static String server() {
        return (all() / 2) + "-" + (all() - 1);
    }

    /**
     * Moves every thread of this process to the load generator's CPUs (threads started later inherit it).
     *
     * @return a line for the report saying where each side runs
     */
    static String pinLoadGenerator() throws IOException, InterruptedException {
        if (!enabled()) {
            return "cpus: not pinned";
        }
        Processes.Result r = Processes.run(Duration.ofSeconds(30),
                List.of(TASKSET, "-a", "-p", "-c", client(), Long.toString(ProcessHandle.current().pid())));
        if (r.exitCode() != 0) {
            throw new IOException("taskset failed: " + r.output());
        }
        pinned = true;
        return "cpus: load generator " + client() + ", server " + server();
    }

    /**
     * @param cmd a server's command line
     * @return the command that starts it on the servers' CPUs ({@code taskset} execs it, so the process id is
     *     the server's own and its threads and children inherit the CPUs)
     */
    static List<String> server(List<String> cmd) {
        if (!pinned) {
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of(TASKSET, "-c", server()));
        out.addAll(cmd);
        return out;
    }
}
