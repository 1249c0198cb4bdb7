package io.herald.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.spi.Admission;
import io.herald.spi.Handshake;
import org.junit.jupiter.api.Test;

class HttpAnswersTest {
    @Test
    void errorCodesMapToTheStatusesTheProtocolPromises() {
        assertThat(HttpAnswers.status(ErrorCode.NOT_FOUND, 0)).isEqualTo(404);
        assertThat(HttpAnswers.status(ErrorCode.FORBIDDEN, 0)).isEqualTo(403);
        assertThat(HttpAnswers.status(ErrorCode.UNAUTHORIZED, 0)).isEqualTo(401);
        assertThat(HttpAnswers.status(ErrorCode.RATE_LIMITED, 0)).isEqualTo(429);
        assertThat(HttpAnswers.status(ErrorCode.LIMIT_EXCEEDED, 0)).isEqualTo(429);
        assertThat(HttpAnswers.status(ErrorCode.TOO_LARGE, 0)).isEqualTo(413);
        assertThat(HttpAnswers.status(ErrorCode.INVALID_TOPIC, 0)).isEqualTo(400);
        assertThat(HttpAnswers.status(ErrorCode.BAD_REQUEST, 0)).isEqualTo(400);
        assertThat(HttpAnswers.status(ErrorCode.INTERNAL, 0)).isEqualTo(500);
        assertThat(HttpAnswers.status(ErrorCode.INTERNAL, 1000)).as("refused while shutting down").isEqualTo(503);
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
        assertThat(HttpAnswers.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(HttpAnswers.retryAfterSeconds(1000)).isEqualTo(1);
        assertThat(HttpAnswers.retryAfterSeconds(1001)).isEqualTo(2);
        assertThat(HttpAnswers.retryAfterSeconds(0)).isEqualTo(1);
    }

    @Test
    void aShutdownRefusalIsInternalWhileA503ForALimitIsLimitExceeded() {
        Handshake h = Handshake.builder("127.0.0.1").build();
        assertThat(HttpAnswers.code(Admission.reject(503, CloseReason.GOING_AWAY, "shutdown",
                "the server is shutting down", 0, h))).isEqualTo(ErrorCode.INTERNAL);
        assertThat(HttpAnswers.code(Admission.reject(503, CloseReason.TRY_AGAIN_LATER, "capacity",
                "the server is at capacity", 0, h))).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(HttpAnswers.code(Admission.reject(429, CloseReason.TRY_AGAIN_LATER, "rate-limited",
                "too many attempts", 1000, h))).isEqualTo(ErrorCode.RATE_LIMITED);
    }
}
