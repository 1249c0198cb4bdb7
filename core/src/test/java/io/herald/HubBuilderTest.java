package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder refuses bad settings at once, naming them. */
class HubBuilderTest {
    @Test
    void badValuesAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> Hub.builder().heartbeat(Duration.ZERO)).hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> Hub.builder().heartbeat(Duration.ofNanos(999_999))).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> Hub.builder().outboundQueue(0, 10)).hasMessageContaining("outboundQueue.frames");
        assertThatThrownBy(() -> Hub.builder().outboundQueue(10, 0)).hasMessageContaining("outboundQueue.bytes");
        assertThatThrownBy(() -> Hub.builder().maxConnections(-1, 0, 0)).hasMessageContaining("maxConnections.total");
        assertThatThrownBy(() -> Hub.builder().node(" ")).hasMessageContaining("node");
        assertThatThrownBy(() -> Hub.builder().authenticator(null)).hasMessageContaining("authenticator");
        assertThatThrownBy(() -> Hub.builder().route("bad route", r -> null)).hasMessageContaining("route");
        assertThatThrownBy(() -> Hub.builder().route("r", r -> null).route("r", r -> null))
                .hasMessageContaining("already registered");
        assertThatThrownBy(() -> RateLimit.of(0, 1)).hasMessageContaining("perSecond");
        assertThatThrownBy(() -> Hub.builder().historySize(10).maxReplay(20).build())
                .hasMessageContaining("maxReplay");
    }

    @Test
    void nullsAndSizesBeyondReasonAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Hub.builder().allowedOrigins((String[]) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedOrigins must not be null");
        assertThatThrownBy(() -> Hub.builder().route(null, r -> null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route name 'null' is invalid");
        assertThatThrownBy(() -> Hub.builder().historySize(10_000_001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("historySize must be at most 10000000");
        assertThatThrownBy(() -> Hub.builder().fanoutThreads(257)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fanoutThreads must be at most 256");
        Hub.builder().historySize(10_000_000).fanoutThreads(256);
    }

    @Test
    void durationsLongerThanADayAreRefusedAtTheBuilderNamingTheSetting() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Duration dayAndAMilli = Duration.ofDays(1).plusMillis(1);
        for (Duration tooLong : List.of(forever, dayAndAMilli)) {
            assertThatThrownBy(() -> Hub.builder().heartbeat(tooLong)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("heartbeat must be at most 1 day");
            assertThatThrownBy(() -> Hub.builder().authFrameDeadline(tooLong))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("authFrameDeadline must be at most 1 day");
            assertThatThrownBy(() -> Hub.builder().drainTimeout(tooLong)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("drainTimeout must be at most 1 day");
        }
        Hub.builder().heartbeat(Duration.ofDays(1)).authFrameDeadline(Duration.ofDays(1))
                .drainTimeout(Duration.ofDays(1)).build().close(Duration.ZERO);
    }

    @Test
    void aReplayLongerThanTheOutboundQueueIsRefused() {
        assertThatThrownBy(() -> Hub.builder().outboundQueue(100, 1L << 20).maxReplay(101).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxReplay (101)").hasMessageContaining("outboundQueue.frames (100)");
        Hub.builder().outboundQueue(100, 1L << 20).maxReplay(100).build().close();
        // left at its default, maxReplay follows a smaller queue or history instead of refusing them
        Hub.builder().outboundQueue(10, 1L << 20).build().close();
        Hub.builder().historySize(5).build().close();
    }

    @Test
    void aFrameLimitThatLeavesNoRoomForAnEventsEnvelopeInTheOutboundQueueIsRefused() {
        assertThatThrownBy(() -> Hub.builder().maxFrameBytes(8 << 20).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameBytes (8388608)").hasMessageContaining("outboundQueue.bytes (4194304)");
        assertThatThrownBy(() -> Hub.builder().maxFrameBytes(4 << 20).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4193280");
        assertThatThrownBy(() -> Hub.builder().outboundQueue(100, 8_192).maxFrameBytes(7_169).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFrameBytes (7169)");
        assertThatThrownBy(() -> Hub.builder().outboundQueue(100, 4_095)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outboundQueue.bytes must be at least 4096");
        try (Hub hub = Hub.builder().maxFrameBytes((4 << 20) - 1_024).build()) {
            assertThat(hub.maxFrameBytes()).isEqualTo((4 << 20) - 1_024);
        }
        // left at its default, maxFrameBytes follows a smaller queue instead of refusing it
        try (Hub hub = Hub.builder().outboundQueue(100, 4_096).build()) {
            assertThat(hub.maxFrameBytes()).isEqualTo(3_072);
        }
    }

    @Test
    void theHubReportsTheLimitsTransportsMirror() {
        try (Hub hub = Hub.builder().heartbeat(Duration.ofSeconds(3)).maxFrameBytes(1_000).build()) {
            assertThat(hub.heartbeat()).isEqualTo(Duration.ofSeconds(3));
            assertThat(hub.maxFrameBytes()).isEqualTo(1_000);
        }
        try (Hub hub = Hub.builder().build()) {
            assertThat(hub.maxFrameBytes()).isEqualTo(64 * 1024);
        }
    }

    @Test
    void misuseOfTheFacadeThrowsAndAClosedHubRefusesWork() {
        Hub hub = Hub.builder().build();
        assertThatThrownBy(() -> hub.publish("task.*", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wildcards");
        assertThatThrownBy(() -> hub.emit("bad room", "t", 1)).isInstanceOf(IllegalArgumentException.class);
        hub.close();
        assertThatThrownBy(() -> hub.publish("t", 1)).isInstanceOf(IllegalStateException.class);
    }
}
