package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When the heartbeat closes a WebSocket client as silent, fed tick by tick: heartbeats of 100, a connection
 * opened at 1,000, each tick judging and then queueing its ping, as the hub's heartbeat does.
 */
class IdleWatchTest {
    private static final long HB = 100;
    private static final long OPENED = 1_000;

    /** The writer as a test drives it: pings queued and written, sends completed. */
    private final IdleWatch watch = new IdleWatch(OPENED);
    private long heard = OPENED;
    private long written;
    private int completions;
    private boolean idle = true;

    /** One tick at {@code now}; its ping is queued unless the client was judged silent. */
    private boolean tick(long now) {
        boolean silent = watch.tick(now, heard, written, completions, idle, HB);
        if (!silent) {
            watch.pingOffered();
        }
        return silent;
    }

    @Test
    void aSilentClientWhosePingsAreWrittenAtOnceIsClosedAtTheFirstTickPastTwoHeartbeats() {
        assertThat(tick(OPENED + 50)).isFalse();
        written = 1;
        assertThat(tick(OPENED + 150)).isFalse();
        written = 2;
        assertThat(tick(OPENED + 250)).isTrue();
    }

    @Test
    void aClientThatAnswersItsPingsStaysHoweverLongItRuns() {
        for (int k = 1; k <= 50; k++) {
            long now = OPENED + k * HB;
            assertThat(tick(now)).as("tick %d", k).isFalse();
            written = k;
            heard = now + 1;
        }
    }

    @Test
    void aClientWhosePingsWaitInTheServersQueueIsNotSilentWhileItsWritesComplete() {
        idle = false;
        for (int k = 1; k <= 30; k++) {
            completions++;
            assertThat(tick(OPENED + k * HB)).as("tick %d", k).isFalse();
        }
        // the writer reaches the first ping queued after the client was last heard; a heartbeat later the
        // client is silent if it did not answer
        written = 1;
        assertThat(tick(OPENED + 31 * HB)).isFalse();
        assertThat(tick(OPENED + 31 * HB + 1)).isFalse();
        assertThat(tick(OPENED + 32 * HB)).isTrue();
    }

    @Test
    void ticksThatComeLateAndBackToBackGiveAClientAHeartbeatAfterItsPingIsWritten() {
        assertThat(tick(OPENED + 50)).isFalse();
        // the scheduler was held up: the next ticks run at once, and the first ping was written just before
        written = 1;
        assertThat(tick(OPENED + 420)).isFalse();
        assertThat(tick(OPENED + 421)).isFalse();
        assertThat(tick(OPENED + 422)).isFalse();
        written = 4;
        assertThat(tick(OPENED + 520)).isTrue();
    }

    @Test
    void aClientHeardAgainIsJudgedFromThePingsQueuedAfterThat() {
        assertThat(tick(OPENED + 50)).isFalse();
        written = 1;
        heard = OPENED + 140;
        // ping 1 went out before the client was heard again: it does not count against it
        assertThat(tick(OPENED + 150)).isFalse();
        assertThat(tick(OPENED + 350)).isFalse();
        written = 3;
        assertThat(tick(OPENED + 360)).isFalse();
        assertThat(tick(OPENED + 459)).isFalse();
        assertThat(tick(OPENED + 460)).isTrue();
    }

    @Test
    void aConnectionWhoseWritesStoppedIsClosedPastFourHeartbeatsOnceNoneCompletedForTwo() {
        assertThat(tick(OPENED + 50)).isFalse();
        idle = false;
        completions = 1;
        // the first ping's send never completes
        assertThat(tick(OPENED + 150)).isFalse();
        assertThat(tick(OPENED + 250)).isFalse();
        assertThat(tick(OPENED + 350)).isFalse();
        assertThat(tick(OPENED + 400)).isFalse();
        assertThat(tick(OPENED + 401)).isTrue();
    }

    @Test
    void aWriteThatCompletedWithinTwoHeartbeatsKeepsAStalledConnectionPastFour() {
        idle = false;
        assertThat(tick(OPENED + 50)).isFalse();
        completions = 1;
        assertThat(tick(OPENED + 300)).isFalse();
        assertThat(tick(OPENED + 450)).isFalse();
        assertThat(tick(OPENED + 500)).isFalse();
        assertThat(tick(OPENED + 501)).isTrue();
    }

    @Test
    void aConnectionHeardFromWhoseWritesStoppedIsStalledPastTheLimit() {
        idle = false;
        completions = 1;
        assertThat(tick(OPENED + HB)).isFalse();
        for (int k = 2; k <= 4; k++) {
            long now = OPENED + k * HB;
            heard = now - 1;
            assertThat(tick(now)).as("tick %d", k).isFalse();
            assertThat(watch.stalled(now, 3 * HB, HB)).as("tick %d", k).isFalse();
        }
        // four heartbeats without a completed send, the client heard all along: not silent, but stalled
        heard = OPENED + 5 * HB - 1;
        assertThat(tick(OPENED + 5 * HB)).isFalse();
        assertThat(watch.stalled(OPENED + 5 * HB, 3 * HB, HB)).isTrue();
    }

    @Test
    void ticksThatComeBackToBackAfterAPauseDoNotJudgeAStalledWriter() {
        idle = false;
        completions = 1;
        assertThat(tick(OPENED + HB)).isFalse();
        // the process was paused: the next ticks come at once, long after the last one
        long resumed = OPENED + 20 * HB;
        heard = resumed;
        assertThat(tick(resumed)).isFalse();
        assertThat(watch.stalled(resumed, 3 * HB, HB)).as("the first tick after the pause").isFalse();
        assertThat(tick(resumed + 1)).isFalse();
        assertThat(watch.stalled(resumed + 1, 3 * HB, HB)).as("a tick right behind it").isFalse();
        // a heartbeat later, still no completed send: stalled
        heard = resumed + HB;
        assertThat(tick(resumed + HB)).isFalse();
        assertThat(watch.stalled(resumed + HB, 3 * HB, HB)).isTrue();
    }

    @Test
    void aConnectionWhoseSendsCompleteOrWhoseWriterIsIdleIsNeverStalled() {
        for (int k = 1; k <= 20; k++) {
            long now = OPENED + k * HB;
            heard = now - 1;
            // a slow writer: one send completes every other heartbeat; between them, the writer is idle
            idle = k % 4 == 0;
            if (k % 2 == 0) {
                completions++;
            }
            assertThat(tick(now)).as("tick %d", k).isFalse();
            assertThat(watch.stalled(now, 2 * HB, HB)).as("tick %d", k).isFalse();
        }
    }

    @Test
    void monotonicTimesBelowZeroAreJudgedAlike() {
        IdleWatch negative = new IdleWatch(-5_000_000_000L);
        assertThat(negative.tick(-5_000_000_000L + 50, -5_000_000_000L, 0, 0, true, HB)).isFalse();
        negative.pingOffered();
        assertThat(negative.tick(-5_000_000_000L + 150, -5_000_000_000L, 1, 0, true, HB)).isFalse();
        negative.pingOffered();
        assertThat(negative.tick(-5_000_000_000L + 250, -5_000_000_000L, 2, 0, true, HB)).isTrue();
    }
}
