package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile frames at the hub: each is answered with an error, changes no state, keeps the connection open,
 * and the hub keeps serving everyone else.
 */
class BadFramesHubTest {
    private static Hub hub;
    private static TestClient bystander;

    @BeforeAll
    static void start() {
        hub = Hub.builder().inboundRate(RateLimit.UNLIMITED).build();
        bystander = TestClient.connect(hub);
        bystander.send("type", "subscribe", "topics", List.of("heartbeat"));
        bystander.expect("subscribed");
    }

    @AfterAll
    static void stop() {
        hub.close(Duration.ofSeconds(1));
    }

    static Stream<String> corpus() {
        String deepArray = "[".repeat(10_000) + "]".repeat(10_000);
        return Stream.of(
                "",
                "not json",
                "[]",
                "[{\"type\":\"ping\"}]",
                "\"subscribe\"",
                "42",
                "null",
                "{}",
                "{\"type\":7}",
                "{\"type\":\"subscribe\"}",
                "{\"type\":\"subscribe\",\"topics\":\"a\"}",
                "{\"type\":\"subscribe\",\"topics\":[1]}",
                "{\"type\":\"subscribe\",\"topics\":[\"**.*.\"]}",
                "{\"type\":\"subscribe\",\"topics\":[\"a\"],\"filter\":[1]}",
                "{\"type\":\"join\",\"room\":5}",
                "{\"type\":\"join\",\"room\":\"\"}",
                "{\"type\":\"publish\",\"topic\":\"a\"}",
                "{\"type\":\"publish\",\"topic\":\"a\",\"data\":" + deepArray + "}",
                "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(10_000) + "\"}",
                "{\"type\":\"ping\",\"ref\":7}",
                "{\"type\":\"ping\",\"x\":\"" + "y".repeat(10 * 1024 * 1024) + "\"}",
                "{\"type\":\"ping\"} trailing",
                "{\"type\":\"ping\",\"type\":\"ping\"}",
                "{\"type\":\"subscribe\",\"topics\":[\"\uD800\"]}",
                "{\"type\":\"" + "z".repeat(100_000) + "\"}");
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void badFrameGetsAnErrorAndChangesNothing(String frame) {
        TestClient c = TestClient.connect(hub);
        c.sendRaw(frame);
        JsonNode e = c.expect("error");
        assertThat(e.path("code").asText()).isIn("BAD_REQUEST", "UNKNOWN_TYPE", "INVALID_TOPIC", "TOO_LARGE");
        assertThat(e.path("message").asText()).isNotBlank().hasSizeLessThan(1_000);
        assertThat(c.transport().closed()).isNull();
        assertThat(hub.admin().connection(c.id()).orElseThrow().subscriptions()).isEmpty();
        assertThat(hub.admin().connection(c.id()).orElseThrow().rooms()).isEmpty();
        c.send("type", "ping", "ref", "still-alive");
        assertThat(c.expect("pong").path("ref").asText()).isEqualTo("still-alive");
        hub.publish("heartbeat", frame.length());
        assertThat(bystander.expect("event").path("data").asInt()).isEqualTo(frame.length());
        c.close();
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void invalidUtf8BinaryFrameGetsBadRequest(byte[] bytes) {
        TestClient c = TestClient.connect(hub);
        c.handle().onBinary(bytes);
        assertThat(c.expect("error").path("code").asText()).isEqualTo("BAD_REQUEST");
        c.send("type", "ping");
        c.expect("pong");
        c.close();
    }

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(
                new byte[] {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'},
                new byte[] {'{', (byte) 0x80, '}'},
                new byte[] {'{', '"', (byte) 0xE2, (byte) 0x82},
                new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'});
    }
}
