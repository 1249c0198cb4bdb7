package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link PatternIndex} checked on random topics and patterns over a three-letter alphabet
 * (so matches are common): the index against {@link ReferenceMatcher#matches}, and {@code ReferenceMatcher.matches} against an
 * independent dynamic-programming matcher. Each property runs a fixed number of cases from a fixed seed;
 * a failure names the case seed, and {@link #forAll} with that seed and one try replays it.
 */
class PatternIndexPropertiesTest {
    private static final long SEED = 0x5EEDL;

    @Test
    void referenceMatcherAgreesWithAnIndependentDynamicProgrammingMatcher() {
        int[] matched = {0};
        forAll(5000, SEED, random -> {
            String topic = topic(random);
            String pattern = random.nextBoolean() ? pattern(random) : mutate(topic, random);
            boolean expected = matchesByTable(pattern, topic);
            assertThat(ReferenceMatcher.matches(pattern, topic)).as("%s against %s", pattern, topic).isEqualTo(expected);
            matched[0] += expected ? 1 : 0;
        });
        assertThat(matched[0]).as("cases that match").isGreaterThan(1000);
    }

    @Test
    void indexVisitsEachMatchingPatternExactlyOnce() {
        forAll(500, SEED, random -> {
            List<String> topics = topics(random);
            List<String> patterns = patterns(random, topics);
            PatternIndex<String> index = new PatternIndex<>();
            for (String p : patterns) {
                index.add(p, p);
            }
            Set<String> distinct = new LinkedHashSet<>(patterns);
            assertThat(index.size()).isEqualTo(distinct.size());
            for (String topic : topics) {
                assertThat(visited(index, topic)).as("%s with %s", topic, distinct)
                        .isEqualTo(expected(distinct, topic));
            }
        });
    }

    @Test
    void doubleStarMatchesZeroOrMoreSegmentsInAnyPosition() {
        forAll(1000, SEED, random -> {
            String topic = topic(random);
            String pattern = Topics.checkPattern(withDoubleStar(topic, random));
            PatternIndex<String> index = new PatternIndex<>();
            index.add(pattern, pattern);
            assertThat(ReferenceMatcher.matches(pattern, topic)).as("%s against %s", pattern, topic).isTrue();
            assertThat(visited(index, topic)).as("%s against %s", pattern, topic).containsExactly(pattern);
        });
    }

    @Test
    void singleStarMatchesExactlyOneSegmentInAnyPosition() {
        forAll(1000, SEED, random -> {
            String topic = topic(random);
            String pattern = Topics.checkPattern(withStars(topic, random));
            PatternIndex<String> index = new PatternIndex<>();
            index.add(pattern, pattern);
            if (Topics.split(pattern).length < Topics.MAX_SEGMENTS) {
                index.add(pattern + ".*", "one segment too many");
            }
            int lastDot = pattern.lastIndexOf('.');
            if (lastDot > 0) {
                index.add(pattern.substring(0, lastDot), "one segment too few");
            }
            assertThat(visited(index, topic)).as("%s against %s", pattern, topic).containsExactly(pattern);
        });
    }

    @Test
    void addingThenRemovingEveryPairLeavesTheIndexEmpty() {
        forAll(500, SEED, random -> {
            PatternIndex<Integer> index = new PatternIndex<>();
            List<String> added = new ArrayList<>();
            List<Integer> values = new ArrayList<>();
            for (String p : patterns(random, topics(random))) {
                int value = random.nextInt(3);
                if (index.add(p, value)) {
                    added.add(p);
                    values.add(value);
                }
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < added.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            for (int i : order) {
                assertThat(index.remove(added.get(i), values.get(i))).as("first remove of %s", added.get(i)).isTrue();
                assertThat(index.remove(added.get(i), values.get(i))).as("second remove of %s", added.get(i))
                        .isFalse();
            }
            assertThat(index.size()).isZero();
            assertThat(index.nodeCount()).isZero();
        });
    }

    @Test
    void matchAgreesWithTheReferenceAfterInterleavedAddsAndRemoves() {
        forAll(500, SEED, random -> {
            List<String> topics = topics(random);
            List<String> patterns = patterns(random, topics);
            PatternIndex<String> index = new PatternIndex<>();
            Set<String> model = new LinkedHashSet<>();
            for (int step = 0; step < patterns.size() * 3; step++) {
                String p = patterns.get(random.nextInt(patterns.size()));
                if (random.nextBoolean()) {
                    assertThat(index.add(p, p)).as("add %s", p).isEqualTo(model.add(p));
                } else {
                    assertThat(index.remove(p, p)).as("remove %s", p).isEqualTo(model.remove(p));
                }
            }
            assertThat(index.size()).isEqualTo(model.size());
            for (String topic : topics) {
                assertThat(visited(index, topic)).as("%s with %s", topic, model).isEqualTo(expected(model, topic));
            }
        });
    }

    /**
     * Thousands of pairs over many distinct segments, so the trie is cut into many blocks, nodes with many
     * literal children use wide tables (which grow, fill with removed slots and shrink), and nodes with many
     * values use value lists: through random adds and removes, every match agrees with the reference, and
     * removing everything leaves one empty block.
     */
    @Test
    void largeIndexesCutIntoBlocksAgreeWithTheReference() {
        forAll(4, SEED, random -> {
            PatternIndex<String> index = new PatternIndex<>();
            Map<String, Set<String>> model = new HashMap<>();
            int maxBlocks = 1;
            for (int step = 1; step <= 30_000; step++) {
                String p = widePattern(random);
                String value = p + "#" + random.nextInt(8);
                if (random.nextInt(5) < 3) {
                    boolean fresh = model.computeIfAbsent(p, k -> new HashSet<>()).add(value);
                    assertThat(index.add(p, value)).as("add %s", value).isEqualTo(fresh);
                } else {
                    Set<String> values = model.get(p);
                    boolean present = values != null && values.remove(value);
                    if (values != null && values.isEmpty()) {
                        model.remove(p);
                    }
                    assertThat(index.remove(p, value)).as("remove %s", value).isEqualTo(present);
                }
                if (step % 5_000 == 0) {
                    maxBlocks = Math.max(maxBlocks, index.blockCount());
                    for (int t = 0; t < 40; t++) {
                        String topic = wideTopic(random);
                        List<String> want = new ArrayList<>();
                        model.forEach((pattern, values) -> {
                            if (ReferenceMatcher.matches(pattern, topic)) {
                                want.addAll(values);
                            }
                        });
                        Collections.sort(want);
                        assertThat(visited(index, topic)).as(topic).isEqualTo(want);
                    }
                }
            }
            assertThat(maxBlocks).as("blocks at the peak").isGreaterThan(40);
            model.forEach((pattern, values) -> values.forEach(v ->
                    assertThat(index.remove(pattern, v)).as("final remove of %s", v).isTrue()));
            assertThat(index.size()).isZero();
            assertThat(index.nodeCount()).isZero();
            assertThat(index.blockCount()).isEqualTo(1);
        });
    }

    /**
     * Wide nodes below {@code *} and {@code **} and at the end of patterns, lists of up to forty values per
     * pattern that grow and shrink to one and none, values removed through equal copies, and removals of
     * patterns never added: the index agrees with a model throughout and is empty at the end.
     */
    @Test
    void wideNodesAndLongValueListsAnywhereAgreeWithTheReference() {
        forAll(3, SEED, random -> {
            PatternIndex<String> index = new PatternIndex<>();
            Map<String, Set<String>> model = new HashMap<>();
            for (int step = 1; step <= 20_000; step++) {
                String p = anywhereWidePattern(random);
                // a copy, so the index must compare values with equals
                String value = new String(p + "#" + random.nextInt(random.nextBoolean() ? 2 : 40));
                if (random.nextInt(2) == 0) {
                    boolean fresh = model.computeIfAbsent(p, k -> new HashSet<>()).add(value);
                    assertThat(index.add(p, value)).as("add %s", value).isEqualTo(fresh);
                } else {
                    Set<String> values = model.get(p);
                    boolean present = values != null && values.remove(value);
                    if (values != null && values.isEmpty()) {
                        model.remove(p);
                    }
                    assertThat(index.remove(p, new String(value))).as("remove %s", value).isEqualTo(present);
                }
                if (step % 2_000 == 0) {
                    for (int t = 0; t < 30; t++) {
                        String topic = anywhereWideTopic(random);
                        List<String> want = new ArrayList<>();
                        model.forEach((pattern, values) -> {
                            if (ReferenceMatcher.matches(pattern, topic)) {
                                want.addAll(values);
                            }
                        });
                        Collections.sort(want);
                        assertThat(visited(index, topic)).as(topic).isEqualTo(want);
                    }
                }
            }
            List<String> patterns = new ArrayList<>(model.keySet());
            Collections.shuffle(patterns, random);
            for (String pattern : patterns) {
                for (String v : model.get(pattern)) {
                    assertThat(index.remove(pattern, new String(v))).as("final remove of %s", v).isTrue();
                }
            }
            assertThat(index.size()).isZero();
            assertThat(index.nodeCount()).isZero();
            assertThat(index.blockCount()).isEqualTo(1);
        });
    }

    /** Up to five segments, each a literal among twenty-four (so nodes go wide), {@code *} or {@code **}. */
    private static String anywhereWidePattern(Random random) {
        int length = 1 + random.nextInt(5);
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(30);
            segments.add(pick < 24 ? "w" + pick : pick < 27 ? Topics.STAR : Topics.DOUBLE_STAR);
        }
        return String.join(".", segments);
    }

    private static String anywhereWideTopic(Random random) {
        int length = 1 + random.nextInt(6);
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            segments.add("w" + random.nextInt(24));
        }
        return String.join(".", segments);
    }

    /**
     * Mostly forty first segments and twenty second ones (both above the wide threshold), then short tails;
     * one in four under {@code deep}, whose three levels of twelve stay below the wide threshold, so that
     * subtree outgrows a block and is cut.
     */
    private static String widePattern(Random random) {
        List<String> segments = new ArrayList<>();
        if (random.nextInt(4) == 0) {
            segments.add("deep");
            for (int i = 0; i < 3; i++) {
                int pick = random.nextInt(14);
                segments.add(pick < 12 ? "d" + pick : pick == 12 ? Topics.STAR : Topics.DOUBLE_STAR);
            }
            return String.join(".", segments);
        }
        segments.add(random.nextInt(20) == 0 ? (random.nextBoolean() ? Topics.STAR : Topics.DOUBLE_STAR)
                : "t" + random.nextInt(40));
        segments.add(random.nextInt(6) == 0 ? Topics.STAR : "r" + random.nextInt(20));
        int tail = random.nextInt(4);
        for (int i = 0; i < tail; i++) {
            int pick = random.nextInt(10);
            segments.add(pick < 7 ? "e" + pick : pick < 9 ? Topics.STAR : Topics.DOUBLE_STAR);
        }
        return String.join(".", segments);
    }

    private static String wideTopic(Random random) {
        List<String> segments = new ArrayList<>();
        if (random.nextInt(4) == 0) {
            segments.add("deep");
            for (int i = 0; i < 3; i++) {
                segments.add("d" + random.nextInt(12));
            }
            return String.join(".", segments);
        }
        segments.add("t" + random.nextInt(40));
        segments.add("r" + random.nextInt(20));
        int tail = random.nextInt(4);
        for (int i = 0; i < tail; i++) {
            segments.add("e" + random.nextInt(7));
        }
        return String.join(".", segments);
    }

    /** Runs {@code tries} cases, each with its own seeded {@code Random}; a failure names that case's seed. */
    static void forAll(int tries, long seed, Consumer<Random> property) {
        Random seeds = new Random(seed);
        for (int i = 0; i < tries; i++) {
            long caseSeed = seeds.nextLong();
            try {
                property.accept(new Random(caseSeed));
            } catch (AssertionError e) {
                throw new AssertionError("case " + i + " (seed " + caseSeed + "L) failed: " + e.getMessage(), e);
            }
        }
    }

    /** Mostly short topics, sometimes up to the limit of 16 segments. */
    private static String topic(Random random) {
        int length = 1 + random.nextInt(random.nextInt(4) == 0 ? Topics.MAX_SEGMENTS : 4);
        String[] segments = new String[length];
        for (int i = 0; i < length; i++) {
            segments[i] = String.valueOf((char) ('a' + random.nextInt(3)));
        }
        return String.join(".", segments);
    }

    /** Literals, {@code *} and {@code **} anywhere, consecutive wildcards included. */
    private static String pattern(Random random) {
        int length = 1 + random.nextInt(random.nextInt(4) == 0 ? Topics.MAX_SEGMENTS : 5);
        String[] segments = new String[length];
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(7);
            segments[i] = pick < 3 ? String.valueOf((char) ('a' + pick))
                    : pick < 5 ? Topics.STAR : Topics.DOUBLE_STAR;
        }
        return String.join(".", segments);
    }

    private static List<String> topics(Random random) {
        List<String> topics = new ArrayList<>();
        int count = 1 + random.nextInt(10);
        for (int i = 0; i < count; i++) {
            topics.add(topic(random));
        }
        return topics;
    }

    /** Random patterns, half of them derived from the topics so that many match. */
    private static List<String> patterns(Random random, List<String> topics) {
        List<String> patterns = new ArrayList<>();
        int count = 1 + random.nextInt(30);
        for (int i = 0; i < count; i++) {
            patterns.add(random.nextBoolean() ? pattern(random)
                    : mutate(topics.get(random.nextInt(topics.size())), random));
        }
        return patterns;
    }

    private static String mutate(String topic, Random random) {
        return random.nextBoolean() ? withDoubleStar(topic, random) : withStars(topic, random);
    }

    /** Replaces a random run of zero or more segments with one or two consecutive {@code **}. */
    private static String withDoubleStar(String topic, Random random) {
        List<String> segments = new ArrayList<>(List.of(Topics.split(topic)));
        int n = segments.size();
        int from = random.nextInt(n + 1);
        int run = random.nextInt(n - from + 1);
        if (n == Topics.MAX_SEGMENTS && run == 0) {
            from = Math.min(from, n - 1);
            run = 1;
        }
        segments.subList(from, from + run).clear();
        int stars = 1 + random.nextInt(2);
        for (int k = 0; k < stars && segments.size() < Topics.MAX_SEGMENTS; k++) {
            segments.add(from, Topics.DOUBLE_STAR);
        }
        return String.join(".", segments);
    }

    /** Replaces each segment with {@code *} with probability one half. */
    private static String withStars(String topic, Random random) {
        String[] segments = Topics.split(topic);
        for (int i = 0; i < segments.length; i++) {
            if (random.nextBoolean()) {
                segments[i] = Topics.STAR;
            }
        }
        return String.join(".", segments);
    }

    private static List<String> visited(PatternIndex<String> index, String topic) {
        List<String> seen = new ArrayList<>();
        index.match(topic, seen::add);
        Collections.sort(seen);
        return seen;
    }

    private static List<String> expected(Set<String> patterns, String topic) {
        List<String> want = new ArrayList<>();
        for (String p : patterns) {
            if (ReferenceMatcher.matches(p, topic)) {
                want.add(p);
            }
        }
        Collections.sort(want);
        return want;
    }

    /**
     * {@code table[i][j]}: whether pattern segments from {@code i} match topic segments from {@code j}.
     * Written independently of {@code ReferenceMatcher.matches}: a {@code **} either matches nothing here or eats one
     * topic segment and stays.
     */
    private static boolean matchesByTable(String pattern, String topic) {
        String[] p = pattern.split("\\.", -1);
        String[] t = topic.split("\\.", -1);
        boolean[][] table = new boolean[p.length + 1][t.length + 1];
        table[p.length][t.length] = true;
        for (int i = p.length - 1; i >= 0; i--) {
            for (int j = t.length; j >= 0; j--) {
                if (p[i].equals("**")) {
                    table[i][j] = table[i + 1][j] || (j < t.length && table[i][j + 1]);
                } else {
                    table[i][j] = j < t.length && (p[i].equals("*") || p[i].equals(t[j])) && table[i + 1][j + 1];
                }
            }
        }
        return table[0][0];
    }
}
