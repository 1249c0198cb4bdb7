package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replay is queued whole or not promised: when the missed events do not fit the connection's outbound
 * queue, the answer says {@code recovered:false} and the newest events that fit follow; the connection stays
 * open and none of what was replayed is dropped.
 */
class ReplayBudgetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MISSED = 50;
    /** About 2 KB per event: 50 of them are about 100 KB, more than the 64 KiB queue below. */
    private static final String PAYLOAD = "x".repeat(2_000);

    private Hub hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    /** Publishes one event a client sees, then {@link #MISSED} large ones; returns every id, seen one first. */
    private List<String> publishSeenThenMissed() {
        List<String> ids = new ArrayList<>();
        ids.add(hub.publish("big.seen", 0));
        for (int i = 1; i <= MISSED; i++) {
            ids.add(hub.publish("big.item", Map.of("n", i, "pad", PAYLOAD)));
        }
        return ids;
    }

    /** Reads the replayed events that follow the answer: they must be the newest, in order, with no hole. */
    private static void expectNewestSuffix(TestClient c, List<String> ids) {
        List<String> got = new ArrayList<>();
        JsonNode f;
        while ((f = c.poll(Duration.ofMillis(500))) != null) {
            assertThat(f.path("type").asText()).isEqualTo("event");
            got.add(f.path("id").asText());
        }
        assertThat(got).as("some of the replay fits").isNotEmpty().hasSizeLessThan(MISSED);
        assertThat(got).as("the newest events, in order").isEqualTo(ids.subList(ids.size() - got.size(), ids.size()));
    }

    @Test
    void aReplayLargerThanTheQueueIsAnsweredNotRecoveredAndTheConnectionStays() {
        hub = Hub.builder().outboundQueue(64, 64 * 1024).maxReplay(MISSED).build();
        List<String> ids = publishSeenThenMissed();

        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("big.*"), "since", ids.get(0));
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isFalse();
        expectNewestSuffix(c, ids.subList(1, ids.size()));
        assertThat(c.transport().closed()).isNull();
        assertThat(hub.metrics().slowConsumerDisconnects()).isZero();
        String live = hub.publish("big.item", Map.of("n", "live"));
        assertThat(c.expect("event").path("id").asText()).isEqualTo(live);
    }

    @Test
    void withDropOldestAReplayIsNeverPromisedAndThenDropped() {
        hub = Hub.builder().outboundQueue(64, 64 * 1024).maxReplay(MISSED)
                .slowConsumerPolicy(SlowConsumerPolicy.DROP_OLDEST).build();
        List<String> ids = publishSeenThenMissed();

        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("big.*"), "since", ids.get(0));
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isFalse();
        expectNewestSuffix(c, ids.subList(1, ids.size()));
        assertThat(hub.metrics().eventsDropped()).isZero();
    }

    @Test
    void aReplayThatFitsIsRecoveredWhole() {
        hub = Hub.builder().outboundQueue(64, 1L << 20).maxReplay(MISSED).build();
        List<String> ids = publishSeenThenMissed();

        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("big.*"), "since", ids.get(0));
        assertThat(c.expect("subscribed").path("recovered").asBoolean()).isTrue();
        for (String id : ids.subList(1, ids.size())) {
            assertThat(c.expect("event").path("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void anSseStreamResumedPastItsQueueIsToldNotRecovered() throws Exception {
        hub = Hub.builder().outboundQueue(64, 64 * 1024).maxReplay(MISSED).build();
        List<String> ids = publishSeenThenMissed();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), t,
                new InitialSubscription(List.of("big.*"), null, ids.get(0), List.of()));

        String connected = t.frames().poll(10, TimeUnit.SECONDS);
        assertThat(connected).startsWith("event: connected\n");
        String data = connected.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
        assertThat(JSON.readTree(data.substring(6)).path("recovered").asBoolean()).isFalse();
        String last = null;
        String block;
        while ((block = t.frames().poll(500, TimeUnit.MILLISECONDS)) != null) {
            last = block;
        }
        assertThat(last).startsWith("id: " + ids.get(ids.size() - 1) + "\n");
        assertThat(t.closed()).isNull();
    }
}
