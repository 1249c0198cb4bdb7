package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.testing.RecordingTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection the application disconnects is flushed first, but not for ever: a client that stopped
 * reading keeps its send in flight, and without a deadline the transport would stay open until the
 * container gave up (never, by default, on Tomcat and Tyrus).
 */
class DisconnectDeadlineTest {
    private Hub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    /** Opens a connection subscribed to {@code t} and takes its connected frame; @return its id */
    private String openOnTopicT(RecordingTransport t) throws Exception {
        String id = hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), t,
                new InitialSubscription(List.of("t"), null, null, List.of())).connectionId();
        assertThat(t.frames().poll(10, TimeUnit.SECONDS)).as("the connected frame").isNotNull();
        return id;
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aDisconnectedClientThatStoppedReadingIsClosedAfterTheDrainTimeout(Framing framing) throws Exception {
        hub = Hub.builder().drainTimeout(Duration.ofMillis(300)).build();
        RecordingTransport t = new RecordingTransport(framing);
        String id = openOnTopicT(t);
        t.stall();
        hub.publish("t", "stuck in flight");
        hub.publish("t", "queued behind it");

        assertThat(hub.disconnect(id, CloseReason.DISCONNECTED)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(1000, "disconnected"));
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aDisconnectedClientThatReadsIsFlushedBeforeItIsClosed(Framing framing) throws Exception {
        hub = Hub.builder().drainTimeout(Duration.ofSeconds(30)).build();
        RecordingTransport t = new RecordingTransport(framing);
        String id = openOnTopicT(t);
        hub.publish("t", "last words");

        hub.disconnect(id, CloseReason.DISCONNECTED);

        await().atMost(Duration.ofSeconds(5)).until(() -> t.closed() != null);
        assertThat(t.frames()).anyMatch(f -> f.contains("last words"));
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aClientStillFlushingWhenTheHubClosesIsClosedByTheHub(Framing framing) throws Exception {
        hub = Hub.builder().drainTimeout(Duration.ofSeconds(30)).build();
        RecordingTransport t = new RecordingTransport(framing);
        String id = openOnTopicT(t);
        t.stall();
        hub.publish("t", "stuck in flight");
        assertThat(hub.disconnect(id, CloseReason.DISCONNECTED)).isTrue();

        hub.close(Duration.ZERO);

        assertThat(t.closed()).as("closed by close(), not left to a deadline that stopped with the hub")
                .isNotNull();
    }
}
