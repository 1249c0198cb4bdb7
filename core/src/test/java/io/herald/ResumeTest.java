package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.testing.HookedHistoryLog;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Resume with {@code since}: replay then live, no gap and no duplicate at the seam. */
class ResumeTest {
    private Hub hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    @Test
    void resumeReplaysEverythingMissedThenContinuesLive() {
        hub = Hub.builder().build();
        TestClient first = TestClient.connect(hub);
        first.send("type", "subscribe", "topics", List.of("task.*"));
        first.expect("subscribed");
        String seen = hub.publish("task.a", 1);
        first.expect("event");
        first.close();
        String missed1 = hub.publish("task.b", 2);
        hub.publish("other.x", 3);
        String missed2 = hub.publish("task.c", 4);

        TestClient again = TestClient.connect(hub);
        again.send("type", "subscribe", "ref", "r", "topics", List.of("task.*"), "since", seen);
        JsonNode ok = again.expect("subscribed");
        assertThat(ok.path("recovered").asBoolean()).isTrue();
        assertThat(again.expect("event").path("id").asText()).isEqualTo(missed1);
        assertThat(again.expect("event").path("id").asText()).isEqualTo(missed2);
        String live = hub.publish("task.d", 5);
        assertThat(again.expect("event").path("id").asText()).isEqualTo(live);
    }

    /** Reads every frame until none arrives for a moment; the ids of the events, in order. */
    private static List<String> eventIds(TestClient c) {
        List<String> ids = new ArrayList<>();
        JsonNode f;
        while ((f = c.poll(Duration.ofMillis(300))) != null) {
            assertThat(f.path("type").asText()).as("frame %s", f).isEqualTo("event");
            ids.add(f.path("id").asText());
        }
        return ids;
    }

    @Test
    void eventsAnExistingSubscriptionFilteredOutAreReplayedToANewOne() {
        hub = Hub.builder().build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("orders.*"), "filter", Map.of("priority", "high"));
        c.expect("subscribed");
        String since = hub.publish("orders.paid", Map.of("priority", "high", "n", 0));
        c.expect("event");
        String low1 = hub.publish("orders.paid", Map.of("priority", "low", "n", 1));
        String high = hub.publish("orders.paid", Map.of("priority", "high", "n", 2));
        assertThat(c.expect("event").path("id").asText()).isEqualTo(high);
        hub.publish("orders.shipped", Map.of("priority", "low", "n", 3));
        String low2 = hub.publish("orders.paid", Map.of("priority", "low", "n", 4));

        c.send("type", "subscribe", "topics", List.of("orders.paid"), "since", since);
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isTrue();
        assertThat(eventIds(c)).as("the low-priority events never delivered, and not the one that was")
                .containsExactly(low1, low2);
    }

    @Test
    void eventsPublishedBeforeAnExistingSubscriptionWasMadeAreReplayed() {
        hub = Hub.builder().build();
        String since = hub.publish("orders.paid", 0);
        String before = hub.publish("orders.paid", 1);
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("orders.*"));
        c.expect("subscribed");
        String after = hub.publish("orders.paid", 2);
        assertThat(c.expect("event").path("id").asText()).isEqualTo(after);

        c.send("type", "subscribe", "topics", List.of("orders.paid"), "since", since);
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isTrue();
        assertThat(eventIds(c)).as("the event from before orders.* existed, not the one it delivered")
                .containsExactly(before);
    }

    @Test
    void resubscribingWithSinceDoesNotRepeatWhatTheReplacedSubscriptionDelivered() {
        hub = Hub.builder().build();
        String since = hub.publish("orders.paid", Map.of("priority", "low", "n", 0));
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("orders.paid"));
        c.expect("subscribed");
        String delivered = hub.publish("orders.paid", Map.of("priority", "low", "n", 1));
        assertThat(c.expect("event").path("id").asText()).isEqualTo(delivered);

        c.send("type", "subscribe", "topics", List.of("orders.paid"), "filter", Map.of("priority", "low"),
                "since", since);
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isTrue();
        assertThat(eventIds(c)).as("nothing: the only missed event was delivered before the resubscribe").isEmpty();
        String live = hub.publish("orders.paid", Map.of("priority", "low", "n", 2));
        assertThat(c.expect("event").path("id").asText()).isEqualTo(live);
    }

    @Test
    void presenceDuringAResumeComesAfterTheRoomEventsBeforeIt() {
        HookedHistoryLog log = new HookedHistoryLog();
        hub = Hub.builder().historyLog(log).build();
        TestClient watcher = TestClient.connect(hub);
        watcher.send("type", "join", "room", "lobby");
        watcher.expect("joined");
        TestClient leaver = TestClient.connect(hub);
        leaver.send("type", "join", "room", "lobby");
        leaver.expect("joined");
        watcher.expect("presence");
        String since = hub.publish("news", 0);
        String missed = hub.publish("news", 1);
        String[] lastWords = new String[1];
        log.duringNextRead(() -> {
            lastWords[0] = hub.emit("lobby", "chat", "bye", null);
            leaver.send("type", "leave", "room", "lobby");
        });

        watcher.send("type", "subscribe", "topics", List.of("news"), "since", since);

        assertThat(watcher.expect("subscribed").path("recovered").asBoolean()).isTrue();
        assertThat(watcher.expect("event").path("id").asText()).isEqualTo(missed);
        assertThat(watcher.next().path("id").asText()).as("the room event first").isEqualTo(lastWords[0]);
        JsonNode leave = watcher.next();
        assertThat(leave.path("type").asText()).isEqualTo("presence");
        assertThat(leave.path("action").asText()).isEqualTo("leave");
        // delivered events: the replayed one and the room event to the watcher, the room event to the leaver;
        // the held presence frame is no event
        assertThat(hub.metrics().eventsDelivered()).isEqualTo(3);
    }

    @Test
    void aSecondResumeDoesNotRepeatWhatTheFirstReplayed() {
        hub = Hub.builder().build();
        String since = hub.publish("orders.paid", 0);
        String missed = hub.publish("orders.paid", 1);
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("orders.paid"), "since", since);
        c.expect("subscribed");
        assertThat(eventIds(c)).containsExactly(missed);

        c.send("type", "subscribe", "topics", List.of("orders.*"), "since", since);
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isTrue();
        assertThat(eventIds(c)).as("orders.paid's replay already brought it").isEmpty();
    }

    @Test
    void aResumeBesideAFilteredSubscriptionMissesAndRepeatsNothingWhileEventsKeepArriving() throws Exception {
        int events = 20_000;
        hub = Hub.builder().historySize(100_000).maxReplay(100_000).outboundQueue(200_000, 64L << 20).build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("orders.*"), "filter", Map.of("priority", "high"));
        c.expect("subscribed");
        String since = hub.publish("orders.paid", Map.of("priority", "high", "n", 0));
        Thread publisher = new Thread(() -> {
            for (int n = 1; n < events; n++) {
                hub.publish("orders.paid", Map.of("priority", n % 2 == 0 ? "high" : "low", "n", n));
            }
        }, "test-publisher");
        publisher.start();
        List<Integer> received = new ArrayList<>();
        while (received.size() < 200) {
            received.add(c.expect("event").path("data").path("n").asInt());
        }
        c.send("type", "subscribe", "topics", List.of("orders.paid"), "since", since);
        JsonNode f;
        while (!(f = c.next()).path("type").asText().equals("subscribed")) {
            received.add(f.path("data").path("n").asInt());
        }
        assertThat(f.path("recovered").asBoolean()).isTrue();
        publisher.join(30_000);
        int last = -1;
        while (received.size() < events) {
            int n = c.expect("event").path("data").path("n").asInt();
            assertThat(n).as("after the answer, log order").isGreaterThan(last);
            last = n;
            received.add(n);
        }
        assertThat(c.poll(Duration.ofMillis(200))).as("nothing more").isNull();
        assertThat(new LinkedHashSet<>(received)).as("each event once").hasSize(events);
    }

    @Test
    void anIdOlderThanRetentionIsNotRecovered() {
        hub = Hub.builder().historySize(5).maxReplay(5).build();
        String old = hub.publish("t", 0);
        for (int i = 1; i <= 10; i++) {
            hub.publish("t", i);
        }
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("t"), "since", old);
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isFalse();
    }

    @Test
    void anIdFromAnotherLogIsNotRecovered() {
        hub = Hub.builder().build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("t"), "since", "not-an-id-of-this-log");
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isFalse();
        hub.publish("t", 1);
        c.expect("event");
    }

    @Test
    void theSeamHasNoGapAndNoDuplicateWhileEventsKeepArriving() throws Exception {
        hub = Hub.builder().historySize(100_000).maxReplay(100_000).outboundQueue(200_000, 64L << 20).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger published = new AtomicInteger();
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < 50_000 && !stop.get(); i++) {
                ids.add(hub.publish("feed.item", Map.of("n", i)));
                published.incrementAndGet();
            }
        }, "test-publisher");
        TestClient first = TestClient.connect(hub);
        first.send("type", "subscribe", "topics", List.of("feed.*"));
        first.expect("subscribed");
        publisher.start();
        try {
            for (int round = 0; round < 20; round++) {
                // read a while, drop the connection, resume on a new one while the publisher keeps going
                JsonNode last = first.expect("event");
                first.close();
                TestClient next = TestClient.connect(hub);
                next.send("type", "subscribe", "topics", List.of("feed.*"), "since", last.path("id").asText());
                assertThat(next.expect("subscribed").path("recovered").asBoolean()).isTrue();
                int expected = last.path("data").path("n").asInt() + 1;
                int toRead = 50;
                for (int k = 0; k < toRead; k++) {
                    JsonNode e = next.expect("event");
                    assertThat(e.path("data").path("n").asInt()).as("event after the seam, round %d", round)
                            .isEqualTo(expected + k);
                }
                first = next;
            }
        } finally {
            stop.set(true);
            publisher.join(10_000);
        }
        Set<String> unique = new LinkedHashSet<>(ids);
        assertThat(unique).hasSize(published.get());
    }
}
