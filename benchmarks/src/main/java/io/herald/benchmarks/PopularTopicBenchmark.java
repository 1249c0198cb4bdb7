package io.herald.benchmarks;

import io.herald.internal.PatternIndex;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Milliseconds to subscribe {@code subscribers} values to one pattern and unsubscribe them all again: a
 * broadcast topic with every client on it, and the reconnect storm that fills and empties it. The cost per
 * subscriber must not grow with the number already there.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PopularTopicBenchmark {
    /** How many values subscribe to the one pattern. */
    @Param({"10000", "100000"})
    public int subscribers;

    private Object[] values;

    /** Creates the values once. */
    @Setup(Level.Trial)
    public void setUp() {
        values = new Object[subscribers];
        for (int i = 0; i < subscribers; i++) {
            values[i] = new Object();
        }
    }

    /**
     * Adds every value, then removes every value, in the order they came.
     *
     * @return the index, so the work is not eliminated
     */
    @Benchmark
    public PatternIndex<Object> subscribeAllThenUnsubscribeAll() {
        PatternIndex<Object> index = new PatternIndex<>();
        for (Object v : values) {
            index.add("news.broadcast", v);
        }
        for (Object v : values) {
            index.remove("news.broadcast", v);
        }
        return index;
    }
}
