package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.internal.Topics;
import io.herald.spi.Admission;
import io.herald.spi.Authorizer;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    void theLargestPublishTheLimitsAllowReachesEverySubscriberOverEitherFraming() throws Exception {
        hub = Hub.builder().outboundQueue(16, 8_192).authorizer(Authorizer.OPEN).build();
        String topic = String.join(".", Collections.nCopies(4, "t".repeat(63)));
        assertThat(topic).hasSize(Topics.MAX_LENGTH);
        TestClient socket = TestClient.connect(hub);
        socket.send("type", "subscribe", "topics", List.of(topic));
        socket.expect("subscribed");
        RecordingTransport stream = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), stream,
                new InitialSubscription(List.of(topic), null, null, List.of()));
        assertThat(stream.frames().poll(10, TimeUnit.SECONDS)).contains("event: connected");
        String frameFiller = "{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"" + topic + "\",\"data\":\"\"}";
        String widest = "x".repeat(hub.maxFrameBytes() - frameFiller.length());
        Admission caller = hub.gateway().admit(Handshake.builder("127.0.0.1").build());

        TestClient publisher = TestClient.connect(hub);
        publisher.send("type", "publish", "ref", "p", "topic", topic, "data", widest);
        publisher.expect("published");
        hub.gateway().publish(caller, TestClient.publishBody(topic, "\"" + "y".repeat(hub.maxFrameBytes() - 2) + "\""));
        hub.publish(topic, "z".repeat((int) (8_192 - 1_024 - 2)));

        for (String letter : List.of("x", "y", "z")) {
            assertThat(socket.expect("event").path("data").asText()).startsWith(letter);
            assertThat(stream.frames().poll(10, TimeUnit.SECONDS)).contains("\"data\":\"" + letter);
        }
        assertThat(hub.metrics().slowConsumerDisconnects()).isZero();
        assertThatThrownBy(() -> hub.publish(topic, "z".repeat(8_192 - 1_024 - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than an event may carry");
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
