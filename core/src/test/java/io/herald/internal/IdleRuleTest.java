package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a WebSocket client counts as silent, in heartbeats of 10 from a client last heard at 1,000. */
class IdleRuleTest {
    private static final long HB = 10;
    private static final long HEARD = 1_000;

    @Test
    void aClientHeardWithinTwoHeartbeatsIsNeverSilent() {
        assertThat(IdleRule.silent(HEARD + 2 * HB, HEARD, HEARD + 2 * HB, HEARD, HB)).isFalse();
        assertThat(IdleRule.silent(HEARD + 20 * HB - 1, HEARD + 18 * HB, HEARD + 19 * HB, HEARD, HB)).isFalse();
    }

    @Test
    void aClientSilentForTwoHeartbeatsAfterAPingWasWrittenWithAHeartbeatToSpareIsSilent() {
        assertThat(IdleRule.silent(HEARD + 2 * HB + 1, HEARD, HEARD + HB + 1, HEARD + 2 * HB + 1, HB)).isTrue();
    }

    @Test
    void aClientWhosePingsWereWrittenTooLateToAnswerIsNotYetSilent() {
        // the writer caught up only a heartbeat after the client was last heard, or not at all since
        assertThat(IdleRule.silent(HEARD + 3 * HB, HEARD, HEARD + HB, HEARD + 3 * HB, HB)).isFalse();
        assertThat(IdleRule.silent(HEARD + 3 * HB, HEARD, HEARD - 5, HEARD + 3 * HB, HB)).isFalse();
    }

    @Test
    void aConnectionWhoseWritesStillCompleteIsNotCutHoweverLongTheClientIsSilent() {
        assertThat(IdleRule.silent(HEARD + 40 * HB, HEARD, HEARD - 5, HEARD + 39 * HB, HB)).isFalse();
        assertThat(IdleRule.silent(HEARD + 40 * HB, HEARD, HEARD - 5, HEARD + 38 * HB, HB)).isFalse();
    }

    @Test
    void aConnectionWhoseWritesStoppedIsCutAfterFourHeartbeatsOnceNoneCompletedForTwo() {
        assertThat(IdleRule.silent(HEARD + 4 * HB, HEARD, HEARD, HEARD, HB)).isFalse();
        assertThat(IdleRule.silent(HEARD + 4 * HB + 1, HEARD, HEARD, HEARD, HB)).isTrue();
        assertThat(IdleRule.silent(HEARD + 4 * HB + 1, HEARD, HEARD, HEARD + 2 * HB + 1, HB)).isFalse();
        assertThat(IdleRule.silent(HEARD + 4 * HB + 1, HEARD, HEARD, HEARD + 2 * HB, HB)).isTrue();
    }

    @Test
    void monotonicTimesBelowZeroAreJudgedAlike() {
        long heard = -5_000_000_000L;
        assertThat(IdleRule.silent(heard + 2 * HB + 1, heard, heard + HB + 1, heard, HB)).isTrue();
        assertThat(IdleRule.silent(heard + 3 * HB, heard, heard, heard + 3 * HB, HB)).isFalse();
    }
}
