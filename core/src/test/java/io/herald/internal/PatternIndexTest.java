package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PatternIndexTest {

    /** A subscriber stand-in whose equality is identity, like a connection. */
    private static final class Sub {
        private final String name;

        Sub(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static List<String> matches(PatternIndex<String> index, String topic) {
        List<String> out = new ArrayList<>();
        index.match(topic, out::add);
        Collections.sort(out);
        return out;
    }

    private static PatternIndex<String> indexOf(String... patterns) {
        PatternIndex<String> index = new PatternIndex<>();
        for (String p : patterns) {
            assertThat(index.add(Topics.checkPattern(p), p)).isTrue();
        }
        return index;
    }

    @Test
    void singleStarMatchesExactlyOneSegment() {
        PatternIndex<String> index = indexOf("task.*");
        assertThat(matches(index, "task.created")).containsExactly("task.*");
        assertThat(matches(index, "task")).isEmpty();
        assertThat(matches(index, "task.a.b")).isEmpty();
    }

    @Test
    void trailingDoubleStarMatchesThePrefixAndEverythingBelowIt() {
        PatternIndex<String> index = indexOf("task.**");
        assertThat(matches(index, "task")).containsExactly("task.**");
        assertThat(matches(index, "task.a")).containsExactly("task.**");
        assertThat(matches(index, "task.a.b")).containsExactly("task.**");
        assertThat(matches(index, "tasks.a")).isEmpty();
    }

    @Test
    void leadingDoubleStarMatchesZeroOrMorePrecedingSegments() {
        PatternIndex<String> index = indexOf("**.error");
        assertThat(matches(index, "error")).containsExactly("**.error");
        assertThat(matches(index, "db.conn.error")).containsExactly("**.error");
        assertThat(matches(index, "db.error.conn")).isEmpty();
    }

    @Test
    void doubleStarAloneMatchesEveryTopic() {
        PatternIndex<String> index = indexOf("**");
        for (String topic : List.of("a", "a.b", "task.created", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p")) {
            assertThat(matches(index, topic)).as(topic).containsExactly("**");
        }
    }

    @Test
    void innerDoubleStarMatchesZeroOrMoreMiddleSegments() {
        PatternIndex<String> index = indexOf("a.**.b");
        assertThat(matches(index, "a.b")).containsExactly("a.**.b");
        assertThat(matches(index, "a.x.b")).containsExactly("a.**.b");
        assertThat(matches(index, "a.x.y.b")).containsExactly("a.**.b");
        assertThat(matches(index, "a.x.y")).isEmpty();
        assertThat(matches(index, "b")).isEmpty();
    }

    @Test
    void exactAndWildcardPatternsAllMatchTheSameTopic() {
        PatternIndex<String> index = indexOf("a.b.c", "a.*.c", "*.*.*", "a.b.*", "a.**", "**.c", "a.b", "x.b.c");
        assertThat(matches(index, "a.b.c")).containsExactly("**.c", "*.*.*", "a.**", "a.*.c", "a.b.*", "a.b.c");
    }

    @Test
    void eachPairIsVisitedOnceEvenWhenDoubleStarMatchesInSeveralWays() {
        PatternIndex<String> index = indexOf("**.**", "a.**.**", "**.a.**", "**.a.**.a.**", "**.**.**.**");
        assertThat(matches(index, "a.a.a")).containsExactly(
                "**.**", "**.**.**.**", "**.a.**", "**.a.**.a.**", "a.**.**");
        assertThat(matches(index, "a.b")).containsExactly("**.**", "**.**.**.**", "**.a.**", "a.**.**");
        assertThat(matches(index, "b")).containsExactly("**.**", "**.**.**.**");
    }

    @Test
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void manyDoubleStarsAgainstADeepTopicStayCheap() {
        String sixteen = String.join(".", Collections.nCopies(16, "**"));
        String alternating = String.join(".", Collections.nCopies(8, "**.a")).substring(3);
        PatternIndex<String> index = indexOf(sixteen, alternating, "**.a.**.a.**.a.**.a.**.a.**.a.**.a.**");
        String deep = String.join(".", Collections.nCopies(16, "a"));
        assertThat(matches(index, deep)).hasSize(3);
    }

    @Test
    void theSameValueUnderTwoMatchingPatternsIsVisitedTwice() {
        PatternIndex<Sub> index = new PatternIndex<>();
        Sub s = new Sub("s");
        index.add("a.*", s);
        index.add("a.**", s);
        List<Sub> seen = new ArrayList<>();
        index.match("a.b", seen::add);
        assertThat(seen).containsExactly(s, s);
    }

    @Test
    void thousandsOfValuesUnderOnePatternAreAllVisitedWhileTheTrieChangesAround() {
        PatternIndex<String> index = new PatternIndex<>();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String pattern = i % 3 == 0 ? "load.*" : i % 3 == 1 ? "**" : "load.p" + (i % 8);
            assertThat(index.add(pattern, pattern + "#" + i)).isTrue();
            if (!pattern.startsWith("load.p") || pattern.equals("load.p3")) {
                want.add(pattern + "#" + i);
            }
            index.add("other.k" + i, "x");
            if (i % 2 == 0) {
                index.remove("other.k" + (i / 2), "x");
            }
        }
        List<String> seen = new ArrayList<>();
        index.match("load.p3", seen::add);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(want);
        for (int i = 0; i < 2_000; i += 2) {
            String pattern = i % 3 == 0 ? "load.*" : i % 3 == 1 ? "**" : "load.p" + (i % 8);
            assertThat(index.remove(pattern, pattern + "#" + i)).isTrue();
            want.remove(pattern + "#" + i);
        }
        seen.clear();
        index.match("load.p3", seen::add);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(want);

        // empty the big lists down to one value each (holes, compaction, then a lone value), then to none
        for (int i = 1; i < 2_000; i += 2) {
            String pattern = i % 3 == 0 ? "load.*" : i % 3 == 1 ? "**" : "load.p" + (i % 8);
            if (i < 1_995) {
                assertThat(index.remove(pattern, pattern + "#" + i)).isTrue();
                want.remove(pattern + "#" + i);
            }
        }
        seen.clear();
        index.match("load.p3", seen::add);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(want).hasSizeLessThan(6);
        for (String left : want) {
            assertThat(index.remove(left.substring(0, left.indexOf('#')), left)).isTrue();
        }
        seen.clear();
        index.match("load.p3", seen::add);
        assertThat(seen).isEmpty();
        assertThat(index.add("**", "back")).isTrue();
        assertThat(index.add("**", "back")).isFalse();
    }

    @Test
    void addingAnEqualPairTwiceIsRejected() {
        PatternIndex<String> index = new PatternIndex<>();
        assertThat(index.add("a.b", "v")).isTrue();
        assertThat(index.add("a.b", new String("v"))).isFalse();
        assertThat(index.add("a.*", "v")).isTrue();
        assertThat(index.size()).isEqualTo(2);
        assertThat(matches(index, "a.b")).containsExactly("v", "v");
    }

    @Test
    void nullValuesAreRejected() {
        PatternIndex<String> index = new PatternIndex<>();
        assertThatThrownBy(() -> index.add("a", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void removingAnAbsentPairReturnsFalseAndChangesNothing() {
        PatternIndex<String> index = indexOf("a.b.c");
        assertThat(index.remove("a.b.c", "other")).isFalse();
        assertThat(index.remove("a.b", "a.b.c")).isFalse();
        assertThat(index.remove("a.b.c.d", "a.b.c")).isFalse();
        assertThat(index.remove("a.*.c", "a.b.c")).isFalse();
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.nodeCount()).isEqualTo(3);
        assertThat(matches(index, "a.b.c")).containsExactly("a.b.c");
    }

    @Test
    void removingEveryPairLeavesNoNodes() {
        List<String> patterns = List.of("a", "a.b", "a.b.c", "a.*", "a.**", "**", "**.c", "*.b.**.c", "a.**.**",
                "x.y.z", "x.*.z");
        PatternIndex<Sub> index = new PatternIndex<>();
        List<Sub> subs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            subs.add(new Sub("s" + i));
        }
        for (String p : patterns) {
            for (Sub s : subs) {
                index.add(p, s);
            }
        }
        for (int i = 0; i < 12; i++) {
            index.add("wide.k" + i, subs.get(0));
        }
        assertThat(index.size()).isEqualTo(patterns.size() * subs.size() + 12);
        assertThat(index.nodeCount()).isGreaterThan(0);
        for (int i = 0; i < 12; i++) {
            assertThat(index.remove("wide.k" + i, subs.get(0))).isTrue();
        }
        for (Sub s : subs) {
            for (String p : patterns) {
                assertThat(index.remove(p, s)).isTrue();
            }
        }
        assertThat(index.size()).isZero();
        assertThat(index.nodeCount()).isZero();
        List<Sub> seen = new ArrayList<>();
        index.match("a.b.c", seen::add);
        assertThat(seen).isEmpty();
    }

    @Test
    void removingOnePairKeepsItsSiblingsAndPrunesOnlyItsOwnBranch() {
        PatternIndex<String> index = indexOf("a.b.c", "a.b.d.e");
        assertThat(index.nodeCount()).isEqualTo(5);
        assertThat(index.remove("a.b.d.e", "a.b.d.e")).isTrue();
        assertThat(index.nodeCount()).isEqualTo(3);
        assertThat(matches(index, "a.b.c")).containsExactly("a.b.c");
    }

    @Test
    void literalChildrenBeyondTheSmallArrayStillMatchAndPrune() {
        PatternIndex<String> index = new PatternIndex<>();
        for (int i = 0; i < 100; i++) {
            index.add("t.k" + i + ".x", "v" + i);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(matches(index, "t.k" + i + ".x")).containsExactly("v" + i);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(index.remove("t.k" + i + ".x", "v" + i)).isTrue();
        }
        assertThat(index.nodeCount()).isZero();
    }

    /**
     * The visitor changes the index in the middle of a match, the worst interleaving a concurrent writer
     * could produce: the values and branches it did not touch are still visited exactly once.
     */
    @Test
    void changesMadeDuringAMatchDoNotHideOrRepeatUntouchedPairs() {
        PatternIndex<String> index = new PatternIndex<>();
        List<String> stable = List.of("a.b#1", "a.b#2", "a.*#1", "a.**#1", "**.b#1");
        index.add("a.b", "a.b#0");
        index.add("a.b", "a.b#1");
        index.add("a.b", "a.b#2");
        index.add("a.*", "a.*#0");
        index.add("a.*", "a.*#1");
        index.add("a.**", "a.**#1");
        index.add("**.b", "**.b#1");
        for (int i = 0; i < 10; i++) {
            index.add("a.k" + i, "sibling");
        }
        List<String> seen = new ArrayList<>();
        index.match("a.b", value -> {
            seen.add(value);
            if (value.endsWith("#0")) {
                index.remove(value.substring(0, value.indexOf('#')), value);
                for (int i = 0; i < 10; i++) {
                    index.remove("a.k" + i, "sibling");
                }
                index.add("a.b", "late");
                index.add("a.x", "late");
            }
        });
        assertThat(seen).filteredOn(stable::contains).containsExactlyInAnyOrderElementsOf(stable);
        assertThat(seen).doesNotHaveDuplicates();
    }

    /**
     * A {@code **} below another is reached once per position the outer one absorbs, each time through the
     * slots above it; a change between two arrivals replaces the block that holds it (or the wide table or
     * a parent block above it). The second arrival must still count as the same node, or the pairs below it
     * are visited twice.
     */
    @Test
    void aNestedDoubleStarWhoseBlockIsRebuiltDuringAMatchIsExploredOnce() {
        List<String> changes = List.of("**.a.x", "**.a.**.c", "**.a.b.c", "**.new", "**.a", "**.a.**.b.c");
        for (String change : changes) {
            for (int siblings : new int[] {0, 20, 40}) {
                PatternIndex<String> index = new PatternIndex<>();
                index.add("**.a.**.b", "stable");
                index.add("**.a.**", "stable too");
                for (int i = 0; i < siblings; i++) {
                    index.add("**.k" + i, "wide");
                }
                // grow the wide table as well, when there is one
                List<String> seen = new ArrayList<>();
                index.match("a.a.a.b", value -> {
                    seen.add(value);
                    if (seen.size() == 1) {
                        index.add(change, "late");
                        for (int i = siblings; i < siblings * 2; i++) {
                            index.add("**.k" + i, "wide");
                        }
                    }
                });
                assertThat(seen).as("%s with %s siblings", change, siblings).filteredOn(v -> v.startsWith("stable"))
                        .containsExactlyInAnyOrder("stable", "stable too");
            }
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void concurrentChurnNeverHidesOrDuplicatesStablePairs() throws InterruptedException {
        List<String> stablePatterns = List.of("a.b.c", "a.*.c", "a.**", "**.c", "a.**.c", "**.b.**", "x.y",
                "a.b.c.d", "*.*");
        List<String> topics = List.of("a.b.c", "a.x.c", "a.b", "q.c", "x.y", "a.b.c.d", "a", "z.z.z.z");
        List<String> churnPatterns = List.of("a.b.c", "a.b.c.d.e", "a.b.*", "a.**.c.d", "**.b.**.c", "**.**",
                "a.x", "a.b.**.**", "x.y.z", "x.*", "**.c.**", "a.*.c");

        PatternIndex<Sub> index = new PatternIndex<>();
        Map<Sub, String> stable = new IdentityHashMap<>();
        for (String p : stablePatterns) {
            Sub s = new Sub(p);
            stable.put(s, p);
            index.add(p, s);
        }
        Map<String, List<Sub>> expected = new HashMap<>();
        String[][] split = new String[topics.size()][];
        for (int t = 0; t < topics.size(); t++) {
            String topic = topics.get(t);
            split[t] = Topics.split(topic);
            List<Sub> want = new ArrayList<>();
            stable.forEach((s, p) -> {
                if (ReferenceMatcher.matches(p, topic)) {
                    want.add(s);
                }
            });
            expected.put(topic, want);
        }

        int writers = 2;
        int readers = 2;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int maxRounds = 200_000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong matchCalls = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Sub mine = new Sub("writer" + w);
            threads.add(new Thread(() -> {
                awaitQuietly(start);
                for (int round = 0; round < maxRounds && !stop.get() && System.nanoTime() < deadline; round++) {
                    for (String p : churnPatterns) {
                        if (!index.add(p, mine)) {
                            failures.add("add failed for own pair " + p);
                        }
                    }
                    for (String p : churnPatterns) {
                        if (!index.remove(p, mine)) {
                            failures.add("remove failed for own pair " + p);
                        }
                    }
                }
            }, "churn-writer-" + w));
        }
        for (int r = 0; r < readers; r++) {
            threads.add(new Thread(() -> {
                awaitQuietly(start);
                List<Sub> seen = new ArrayList<>();
                for (int round = 0; round < maxRounds && !stop.get() && System.nanoTime() < deadline; round++) {
                    for (int t = 0; t < split.length; t++) {
                        seen.clear();
                        index.match(split[t], s -> {
                            if (stable.containsKey(s)) {
                                seen.add(s);
                            }
                        });
                        matchCalls.incrementAndGet();
                        List<Sub> want = expected.get(topics.get(t));
                        if (seen.size() != want.size() || !seen.containsAll(want)) {
                            failures.add(topics.get(t) + ": saw " + seen + ", expected " + want);
                            stop.set(true);
                        }
                    }
                }
            }, "churn-reader-" + r));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
        }

        assertThat(failures).isEmpty();
        assertThat(matchCalls.get()).isPositive();
        assertThat(index.size()).isEqualTo(stablePatterns.size());
        for (Map.Entry<Sub, String> e : stable.entrySet()) {
            assertThat(index.remove(e.getValue(), e.getKey())).isTrue();
        }
        assertThat(index.nodeCount()).isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
