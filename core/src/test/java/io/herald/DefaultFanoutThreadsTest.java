package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The default number of fan-out threads, seen from JVMs that are told they have one processor and sixteen:
 * one per processor, at least two and at most eight.
 */
class DefaultFanoutThreadsTest {
    /** Run in a child JVM: builds a hub with the defaults and prints how many fan-out threads it started. */
    public static void main(String[] args) {
        Hub hub = Hub.builder().node("defaults").build();
        long n = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("herald-fanout-defaults-")).count();
        System.out.println("fanout-threads=" + n);
        hub.close(Duration.ZERO);
    }

    private static String threadsWith(int processors) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-XX:ActiveProcessorCount=" + processors, "-cp",
                System.getProperty("java.class.path"), DefaultFanoutThreadsTest.class.getName()))
                .redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            return out.lines().filter(l -> l.startsWith("fanout-threads=")).findFirst().orElse(out);
        } finally {
            p.destroyForcibly();
        }
    }

    @org.junit.jupiter.api.Test
    void oneProcessorStillGetsTwoFanoutThreadsAndManyGetAtMostEight() throws Exception {
        assertThat(threadsWith(1)).isEqualTo("fanout-threads=2");
        assertThat(threadsWith(16)).isEqualTo("fanout-threads=8");
    }
}
