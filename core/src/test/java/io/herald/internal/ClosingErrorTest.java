package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.ServerMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The error an SSE stream ends with: which code each close maps to, and how it is framed. */
class ClosingErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonCodec codec = new JsonCodec();

    @Test
    void eachCloseTheHubMakesMapsToTheNearestErrorCode() {
        assertThat(ClosingError.code(CloseReason.SLOW_CONSUMER)).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(ClosingError.code(CloseReason.CAPACITY)).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(ClosingError.code(CloseReason.UNAUTHORIZED)).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(ClosingError.code(CloseReason.ABUSE)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(ClosingError.code(CloseReason.TOO_LARGE)).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(ClosingError.code(CloseReason.SHUTDOWN)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ClosingError.code(CloseReason.DISCONNECTED)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ClosingError.code(CloseReason.IDLE_TIMEOUT)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ClosingError.code(CloseReason.INTERNAL)).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void anApplicationsCloseMapsByItsCode() {
        assertThat(ClosingError.code(new CloseReason(1008, "banned"))).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(ClosingError.code(new CloseReason(1013, "rebalance"))).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(ClosingError.code(new CloseReason(4000, "moved"))).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ClosingError.of(new CloseReason(4000, "moved")).message()).contains("4000 moved");
    }

    @Test
    void theErrorCarriesTheReasonWordAndCloseCodeAsExtraFields() throws Exception {
        JsonNode json = JSON.readTree(codec.encode(ClosingError.of(CloseReason.SLOW_CONSUMER)));
        assertThat(json.path("type").asText()).isEqualTo("error");
        assertThat(json.path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(json.path("message").asText()).contains("resume with Last-Event-ID");
        assertThat(json.path("reason").asText()).isEqualTo("slow-consumer");
        assertThat(json.path("closeCode").asInt()).isEqualTo(1013);
        assertThat(json.has("ref")).isFalse();
        assertThat(json.has("retryAfterMs")).isFalse();
    }

    @Test
    void anAnswerToARequestCarriesNoCloseFields() throws Exception {
        JsonNode json = JSON.readTree(codec.encode(new ServerMessage.Error("r", ErrorCode.BAD_REQUEST, "bad", 0)));
        assertThat(json.has("reason")).isFalse();
        assertThat(json.has("closeCode")).isFalse();
    }

    @Test
    void onSseItIsANamedErrorEventThatNoQueuePolicyMayDrop() {
        OutboundFrame frame = Frames.encode(codec, ClosingError.of(CloseReason.SHUTDOWN), Framing.SSE);
        assertThat(new String(frame.bytes(), StandardCharsets.UTF_8)).isEqualTo("event: error\n"
                + "data: {\"type\":\"error\",\"code\":\"INTERNAL\","
                + "\"message\":\"the server is shutting down; reconnect and resume with Last-Event-ID\","
                + "\"reason\":\"shutdown\",\"closeCode\":1001}\n\n");
        assertThat(frame.droppable()).isFalse();
    }
}
