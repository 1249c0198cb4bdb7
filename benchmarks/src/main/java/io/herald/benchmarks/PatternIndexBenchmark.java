package io.herald.benchmarks;

import io.herald.internal.PatternIndex;
import io.herald.internal.Topics;
import java.util.Random;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Nanoseconds per {@link PatternIndex#match} of a four-segment topic, {@code tenant.resource.event.id},
 * against an index of 1,000 to 1,000,000 subscriptions.
 *
 * <p>Subscriptions are spread over tenants, one tenant per {@value #PER_TENANT} subscriptions, so a topic
 * meets a roughly constant number of matches whatever the total: each tenant has 70% exact patterns, 20%
 * with {@code *} ({@code t.R.E.*}, {@code t.R.*.I}, {@code t.*.E.I}, {@code t.*.E.*}), 10% with {@code **}
 * ({@code t.R.**}, {@code t.**.I}, {@code t.**.E.*}, {@code t.**}), over 4 resources, 4 events and 4 ids.
 * Three cross-tenant monitor patterns ({@code **.failed.*}, {@code *.orders.paid.*}, {@code **.error}) are
 * present at every size. Setup prints the average number of values each topic matches (about 8).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PatternIndexBenchmark {
    static final int PER_TENANT = 100;
    private static final String[] RESOURCES = {"orders", "users", "payments", "carts"};
    private static final String[] EVENTS = {"created", "updated", "paid", "failed"};
    private static final String[] IDS = {"id-1", "id-2", "id-3", "id-4"};

    /** The number of (pattern, value) pairs in the index. */
    @Param({"1000", "100000", "1000000"})
    public int subscriptions;

    /**
     * How many distinct topics the benchmark cycles through, drawn uniformly over all tenants; a power of
     * two. With a few hundred, the trie paths they touch stay in cache and the cost is the matching work
     * alone; with thousands, at 100,000 subscriptions and more most node reads miss the caches, as they do
     * for traffic spread evenly over many tenants.
     */
    @Param({"4096"})
    public int distinctTopics;

    private PatternIndex<Object> index;
    private String[] topics;
    private String[][] topicSegments;
    private PatternIndex.Visitor<Object> visitor;
    private int cursor;

    /**
     * Builds the index and the topics from a fixed seed.
     *
     * @param blackhole consumes every matched value
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        Random random = new Random(42);
        int tenants = Math.max(1, subscriptions / PER_TENANT);
        index = new PatternIndex<>();
        long start = System.nanoTime();
        for (String monitor : new String[] {"**.failed.*", "*.orders.paid.*", "**.error"}) {
            index.add(monitor, new Object());
        }
        for (int i = 0; index.size() < subscriptions; i++) {
            index.add(pattern("t" + (i % tenants), random), new Object());
        }
        long setupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        if (Integer.bitCount(distinctTopics) != 1) {
            throw new IllegalArgumentException("distinctTopics must be a power of two: " + distinctTopics);
        }
        topics = new String[distinctTopics];
        topicSegments = new String[distinctTopics][];
        long matched = 0;
        int[] count = new int[1];
        for (int i = 0; i < distinctTopics; i++) {
            topics[i] = String.join(".", "t" + random.nextInt(tenants), pick(RESOURCES, random),
                    pick(EVENTS, random), pick(IDS, random));
            topicSegments[i] = Topics.split(topics[i]);
            count[0] = 0;
            index.match(topicSegments[i], value -> count[0]++);
            matched += count[0];
        }
        visitor = blackhole::consume;
        settleLikeARunningServer();
        System.out.printf("%n%d subscriptions over %d tenants built in %d ms; %.2f matches per topic%n",
                index.size(), tenants, setupMillis, matched / (double) distinctTopics);
    }

    /**
     * Measures the steady state of a server whose subscriptions were made a while ago. In a running server
     * the trie survives young collections, which copy live objects in the order they are traced and so
     * put each subtree together; a forced full collection would instead keep the order in which the
     * subscriptions arrived. Allocating short-lived garbage brings those young collections about now
     * rather than during the measured iterations.
     */
    private static void settleLikeARunningServer() {
        long sink = 0;
        for (int i = 0; i < 96; i++) {
            byte[] garbage = new byte[16 << 20];
            sink += garbage.length;
        }
        if (sink == 0) {
            throw new AssertionError();
        }
    }

    /**
     * Matches a topic already split into segments.
     */
    @Benchmark
    public void matchPreSplit() {
        index.match(topicSegments[next()], visitor);
    }

    /**
     * Splits a topic string, then matches it.
     */
    @Benchmark
    public void matchIncludingSplit() {
        index.match(topics[next()], visitor);
    }

    private int next() {
        cursor = (cursor + 1) & (distinctTopics - 1);
        return cursor;
    }

    private static String pattern(String tenant, Random random) {
        String r = pick(RESOURCES, random);
        String e = pick(EVENTS, random);
        String id = pick(IDS, random);
        int kind = random.nextInt(100);
        if (kind < 70) {
            return String.join(".", tenant, r, e, id);
        }
        int shape = random.nextInt(4);
        if (kind < 90) {
            switch (shape) {
                case 0: return String.join(".", tenant, r, e, "*");
                case 1: return String.join(".", tenant, r, "*", id);
                case 2: return String.join(".", tenant, "*", e, id);
                default: return String.join(".", tenant, "*", e, "*");
            }
        }
        switch (shape) {
            case 0: return String.join(".", tenant, r, "**");
            case 1: return String.join(".", tenant, "**", id);
            case 2: return String.join(".", tenant, "**", e, "*");
            default: return String.join(".", tenant, "**");
        }
    }

    private static String pick(String[] choices, Random random) {
        return choices[random.nextInt(choices.length)];
    }
}
