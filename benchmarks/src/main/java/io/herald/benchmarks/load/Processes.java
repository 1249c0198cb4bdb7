package io.herald.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short helper commands (taskset, jcmd, getconf, node --version) with a deadline. */
final class Processes {
    private Processes() {
    }

    /** What a finished command left: its exit code and its output (stdout and stderr together). */
    record Result(int exitCode, String output) {
    }

    /**
     * Runs a command to its end. Its output goes to a file, not a pipe, so a command that hangs with its
     * output open cannot hold the caller past the deadline.
     *
     * @param timeout how long the command may run; it is killed after
     * @param cmd the command and its arguments
     * @return its exit code and output
     * @throws IOException if it cannot start or does not finish in time
     */
    static Result run(Duration timeout, List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bench-cmd", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
