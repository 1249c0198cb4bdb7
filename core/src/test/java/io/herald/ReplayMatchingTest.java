package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.internal.ReferenceMatcher;
import io.herald.internal.Topics;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which events a resume replays, checked against the reference matcher {@link ReferenceMatcher#matches} on random
 * topics and patterns, and how long choosing them may take.
 */
class ReplayMatchingTest {
    private static final long SEED = 0x2E5EEDL;
    private static final String[] SEGMENTS = {"a", "b", "c"};

    private Hub hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    /** An event as the test published it. */
    private record Published(String id, String topic, int k) {
    }

    /** A subscription the connection holds, made when {@code from} events had been published. */
    private record Held(String pattern, Integer k, int from) {
        boolean delivers(Published e, int index) {
            return index >= from && ReferenceMatcher.matches(pattern, e.topic()) && (k == null || k == e.k());
        }
    }

    private static String topic(Random random) {
        int n = 1 + random.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ".").append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        return b.toString();
    }

    private static String pattern(Random random) {
        int n = 1 + random.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(5);
            String segment = pick == 3 ? "*" : pick == 4 ? "**" : SEGMENTS[pick];
            b.append(i == 0 ? "" : ".").append(segment);
        }
        return b.toString();
    }

    private static List<String> patterns(Random random, int max) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        int n = 1 + random.nextInt(max);
        while (out.size() < n) {
            out.add(pattern(random));
        }
        return new ArrayList<>(out);
    }

    private Published publish(List<Published> log, String topic, int k) {
        Published p = new Published(hub.publish(topic, Map.of("k", k)), topic, k);
        log.add(p);
        return p;
    }

    @Test
    void aResumeReplaysWhatTheReferenceMatcherSelectsAndTheConnectionWasNotGiven() {
        hub = Hub.builder().handshakeRate(RateLimit.UNLIMITED).historySize(10_000).maxReplay(10_000)
                .outboundQueue(20_000, 64L << 20).build();
        Random random = new Random(SEED);
        List<Published> log = new ArrayList<>();
        publish(log, "a", 0);
        int replayed = 0;
        for (int trial = 0; trial < 150; trial++) {
            TestClient c = TestClient.connect(hub);
            List<Held> held = new ArrayList<>();
            c.send("type", "subscribe", "topics", List.of("marker"));
            c.expect("subscribed");
            held.add(new Held("marker", null, log.size()));
            if (random.nextBoolean()) {
                Integer k = random.nextBoolean() ? null : 0;
                List<String> earlier = patterns(random, 3);
                if (k == null) {
                    c.send("type", "subscribe", "topics", earlier);
                } else {
                    c.send("type", "subscribe", "topics", earlier, "filter", Map.of("k", k));
                }
                c.expect("subscribed");
                for (String p : earlier) {
                    held.add(new Held(p, k, log.size()));
                }
            }
            for (int i = 0; i < 20; i++) {
                Published e = publish(log, topic(random), random.nextInt(2));
                int index = log.size() - 1;
                if (held.stream().anyMatch(h -> h.delivers(e, index))) {
                    assertThat(c.expect("event").path("id").asText()).as("live, trial %d", trial).isEqualTo(e.id());
                }
            }

            int since = random.nextInt(log.size());
            List<String> wanted = patterns(random, 4);
            Integer k = random.nextBoolean() ? null : 1;
            List<String> expected = new ArrayList<>();
            for (int i = since + 1; i < log.size(); i++) {
                Published e = log.get(i);
                int index = i;
                boolean selected = wanted.stream().anyMatch(p -> ReferenceMatcher.matches(p, e.topic()))
                        && (k == null || k == e.k());
                if (selected && held.stream().noneMatch(h -> h.delivers(e, index))) {
                    expected.add(e.id());
                }
            }
            if (k == null) {
                c.send("type", "subscribe", "topics", wanted, "since", log.get(since).id());
            } else {
                c.send("type", "subscribe", "topics", wanted, "filter", Map.of("k", k), "since", log.get(since).id());
            }
            JsonNode answer = c.expect("subscribed");
            assertThat(answer.path("recovered").asBoolean()).isTrue();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                got.add(c.expect("event").path("id").asText());
            }
            assertThat(got).as("trial %d: %s after %s beside %s", trial, wanted, since, held).isEqualTo(expected);
            Published marker = publish(log, "marker", 0);
            assertThat(c.expect("event").path("id").asText()).as("nothing more, trial %d", trial)
                    .isEqualTo(marker.id());
            c.close();
            replayed += expected.size();
        }
        assertThat(replayed).as("events replayed over all trials").isGreaterThan(1_000);
    }

    @Test
    void nestedDoubleStarPatternsDoNotMakeAResumeSlow() {
        hub = Hub.builder().historySize(10_000).build();
        String topic = String.join(".", java.util.Collections.nCopies(Topics.MAX_SEGMENTS, "a"));
        String since = hub.publish(topic, 0);
        for (int i = 1; i < 10_000; i++) {
            hub.publish(topic, i);
        }
        // seven a's, each after a **, then a last segment the topic lacks: the backtracking matcher tries
        // every way of placing the a's (about a millisecond per event and pattern) before failing
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            patterns.add("**.a.**.a.**.a.**.a.**.a.**.a.**.a.**.b" + i);
        }
        TestClient c = TestClient.connect(hub);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            c.send("type", "subscribe", "topics", patterns, "since", since);
            assertThat(c.expect("subscribed").path("recovered").asBoolean()).isTrue();
        });
        String live = hub.publish("a.a.a.a.a.a.a.a.b7", 1);
        assertThat(c.expect("event").path("id").asText()).isEqualTo(live);
    }
}
