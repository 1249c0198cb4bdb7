package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.testing.RecordingTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream the server ends (SSE has no close codes) gets one last {@code error} event that says why, after
 * every event it was still to receive; a WebSocket keeps its close frame alone.
 */
class SseClosingErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Hub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    private ConnectionHandle open(RecordingTransport t, String topic) throws Exception {
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), t,
                new InitialSubscription(List.of(topic), null, null, List.of()));
        String first = t.frames().poll(10, TimeUnit.SECONDS);
        assertThat(first).as("the connected frame").isNotNull().contains("\"type\":\"connected\"");
        return h;
    }

    private static List<String> drain(RecordingTransport t) {
        List<String> frames = new ArrayList<>();
        t.frames().drainTo(frames);
        return frames;
    }

    private static JsonNode data(String sseBlock) throws Exception {
        String line = sseBlock.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
        return JSON.readTree(line.substring(6));
    }

    private static void assertClosingError(String block, String code, String reason, int closeCode) throws Exception {
        assertThat(block).startsWith("event: error\n");
        JsonNode error = data(block);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("reason").asText()).isEqualTo(reason);
        assertThat(error.path("closeCode").asInt()).isEqualTo(closeCode);
        assertThat(error.path("message").asText()).isNotEmpty();
    }

    /** Asserts what a stream got: one event, then the closing error; and that it was closed with that close. */
    private static void assertOneEventThenTheClosingError(RecordingTransport t, String eventId, String code,
            String reason, int closeCode) throws Exception {
        List<String> frames = drain(t);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).startsWith("id: " + eventId + "\n");
        assertClosingError(frames.get(1), code, reason, closeCode);
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(closeCode, reason));
    }

    @Test
    void aStreamTheApplicationDisconnectsGetsItsQueuedEventsThenTheErrorThenIsClosed() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = open(t, "t");
        t.stall();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(hub.publish("t", Map.of("n", i)));
        }
        assertThat(hub.disconnect(h.connectionId(), CloseReason.DISCONNECTED)).isTrue();
        assertThat(t.closed()).as("still flushing").isNull();

        t.resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        List<String> frames = drain(t);
        assertThat(frames).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(frames.get(i)).startsWith("id: " + ids.get(i) + "\n");
        }
        assertClosingError(frames.get(3), "INTERNAL", "disconnected", 1000);
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(1000, "disconnected"));
        assertThat(t.closeCalls()).isEqualTo(1);
    }

    @Test
    void aUserDisconnectedForAPolicyReadsForbiddenWithTheApplicationsReason() throws Exception {
        hub = Hub.builder().authenticator((token, h) -> Principal.of("ann")).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        open(t, "t");
        assertThat(hub.disconnectUser("ann", new CloseReason(CloseReason.POLICY_VIOLATION, "banned"))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        List<String> frames = drain(t);
        assertThat(frames).hasSize(1);
        assertClosingError(frames.get(0), "FORBIDDEN", "banned", 1008);
    }

    @Test
    void hubShutdownFlushesEveryStreamThenEndsItWithTheShutdownError() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport a = new RecordingTransport(Framing.SSE);
        RecordingTransport b = new RecordingTransport(Framing.SSE);
        open(a, "t");
        open(b, "t");
        String id = hub.publish("t", Map.of("last", true));
        hub.close(Duration.ofSeconds(5));
        for (RecordingTransport t : List.of(a, b)) {
            assertOneEventThenTheClosingError(t, id, "INTERNAL", "shutdown", 1001);
        }
    }

    @Test
    void aSlowConsumerGetsTheErrorRightAfterTheSendInFlightAndItsQueueIsDiscarded() throws Exception {
        hub = Hub.builder().outboundQueue(4, 1L << 20).drainTimeout(Duration.ofSeconds(30)).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        open(t, "t");
        t.stall();
        String inFlight = hub.publish("t", Map.of("n", 0));
        for (int n = 1; n < 100 && hub.admin().connectionCount() > 0; n++) {
            hub.publish("t", Map.of("n", n));
        }
        assertThat(hub.admin().connectionCount()).as("cut as a slow consumer").isZero();
        assertThat(hub.metrics().slowConsumerDisconnects()).isEqualTo(1);
        assertThat(t.closed()).as("the stream waits for its last frame").isNull();

        t.resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        assertOneEventThenTheClosingError(t, inFlight, "LIMIT_EXCEEDED", "slow-consumer", 1013);
    }

    @Test
    void aSlowConsumerThatNeverReadsAgainIsClosedAfterTheDrainTimeoutWithoutTheError() throws Exception {
        hub = Hub.builder().outboundQueue(4, 1L << 20).drainTimeout(Duration.ofMillis(200)).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        open(t, "t");
        t.stall();
        for (int n = 0; n < 100 && hub.admin().connectionCount() > 0; n++) {
            hub.publish("t", Map.of("n", n));
        }
        assertThat(hub.admin().connectionCount()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(1013, "slow-consumer"));
        assertThat(drain(t)).hasSize(1).noneMatch(f -> f.startsWith("event: error"));
    }

    @Test
    void hubShutdownClosesAStreamStillWaitingForItsLastFrame() throws Exception {
        hub = Hub.builder().outboundQueue(4, 1L << 20).drainTimeout(Duration.ofSeconds(30)).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        open(t, "t");
        t.stall();
        for (int n = 0; n < 100 && hub.admin().connectionCount() > 0; n++) {
            hub.publish("t", Map.of("n", n));
        }
        assertThat(t.closed()).isNull();
        hub.close(Duration.ofMillis(100));
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(1013, "slow-consumer"));
    }

    @Test
    void aStreamWhoseClientLeftGetsNothingMore() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = open(t, "t");
        h.onClosed(CloseReason.NORMAL, "disconnected");
        assertThat(hub.admin().connectionCount()).isZero();
        assertThat(drain(t)).isEmpty();
        assertThat(t.closeCalls()).isZero();
    }

    @Test
    void aWebSocketTheServerClosesGetsItsCloseFrameAndNoErrorMessage() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport t = new RecordingTransport(Framing.WEBSOCKET);
        ConnectionHandle h = open(t, "t");
        String id = hub.publish("t", Map.of("n", 1));
        hub.disconnect(h.connectionId(), CloseReason.DISCONNECTED);
        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        List<String> frames = drain(t);
        assertThat(frames).hasSize(1);
        assertThat(JSON.readTree(frames.get(0)).path("id").asText()).isEqualTo(id);
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(1000, "disconnected"));
    }
}
