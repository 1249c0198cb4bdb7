package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that stops reading never slows anyone else and never grows the server's memory. */
class SlowConsumerTest {
    private Hub hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    @Test
    void slowSubscriberIsDisconnectedWithoutSlowingOthers() {
        hub = Hub.builder().outboundQueue(100, 1L << 20).build();
        TestClient slow = TestClient.connect(hub);
        TestClient fast = TestClient.connect(hub);
        for (TestClient c : List.of(slow, fast)) {
            c.send("type", "subscribe", "topics", List.of("tick"));
            c.expect("subscribed");
        }
        slow.transport().stall();
        for (int i = 0; i < 1_000; i++) {
            hub.publish("tick", i);
        }
        assertThat(slow.transport().closed()).isNotNull();
        assertThat(slow.transport().closed().code()).isEqualTo(1013);
        assertThat(slow.transport().closed().reason()).isEqualTo("slow-consumer");
        assertThat(hub.metrics().slowConsumerDisconnects()).isEqualTo(1);
        assertThat(fast.drain()).hasSize(1_000);
        assertThat(hub.admin().connection(slow.id())).isEmpty();
        assertThat(hub.admin().connectionCount()).isEqualTo(1);
    }

    @Test
    void queueIsBoundedByBytesToo() {
        hub = Hub.builder().outboundQueue(10_000, 4_096).build();
        TestClient slow = TestClient.connect(hub);
        slow.send("type", "subscribe", "topics", List.of("big"));
        slow.expect("subscribed");
        slow.transport().stall();
        String kilobyte = "x".repeat(1_000);
        for (int i = 0; i < 10 && slow.transport().closed() == null; i++) {
            hub.publish("big", kilobyte);
        }
        assertThat(slow.transport().closed()).isNotNull();
        assertThat(slow.transport().closed().reason()).isEqualTo("slow-consumer");
    }

    @Test
    void dropOldestKeepsTheConnectionAndTheNewestEventsAndCountsTheDrops() {
        hub = Hub.builder().outboundQueue(10, 1L << 20).slowConsumerPolicy(SlowConsumerPolicy.DROP_OLDEST).build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("metric"));
        c.expect("subscribed");
        c.transport().stall();
        hub.publish("metric", -1);
        for (int i = 0; i < 100; i++) {
            hub.publish("metric", i);
        }
        assertThat(c.transport().closed()).isNull();
        assertThat(hub.metrics().eventsDropped()).isEqualTo(90);
        c.transport().resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> c.transport().frames().size() >= 11);
        List<Integer> values = c.drain().stream().map(f -> f.path("data").asInt()).toList();
        assertThat(values).containsExactly(-1, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99);
    }
}
