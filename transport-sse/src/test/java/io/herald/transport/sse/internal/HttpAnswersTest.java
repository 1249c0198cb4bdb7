package io.herald.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ErrorCode;
import org.junit.jupiter.api.Test;

class HttpAnswersTest {
    @Test
    void errorCodesMapToTheStatusesTheProtocolPromises() {
        assertThat(HttpAnswers.status(ErrorCode.NOT_FOUND)).isEqualTo(404);
        assertThat(HttpAnswers.status(ErrorCode.FORBIDDEN)).isEqualTo(403);
        assertThat(HttpAnswers.status(ErrorCode.UNAUTHORIZED)).isEqualTo(401);
        assertThat(HttpAnswers.status(ErrorCode.RATE_LIMITED)).isEqualTo(429);
        assertThat(HttpAnswers.status(ErrorCode.LIMIT_EXCEEDED)).isEqualTo(429);
        assertThat(HttpAnswers.status(ErrorCode.TOO_LARGE)).isEqualTo(413);
        assertThat(HttpAnswers.status(ErrorCode.INVALID_TOPIC)).isEqualTo(400);
        assertThat(HttpAnswers.status(ErrorCode.BAD_REQUEST)).isEqualTo(400);
        assertThat(HttpAnswers.status(ErrorCode.INTERNAL)).isEqualTo(500);
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
        assertThat(HttpAnswers.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(HttpAnswers.retryAfterSeconds(1000)).isEqualTo(1);
        assertThat(HttpAnswers.retryAfterSeconds(1001)).isEqualTo(2);
        assertThat(HttpAnswers.retryAfterSeconds(0)).isEqualTo(1);
    }
}
