package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.spi.Admission;
import io.herald.spi.AuthenticationException;
import io.herald.spi.ConnectionGateway;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.Transport;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Letting a WebSocket in without credentials, to authenticate with an {@code auth} frame, is for WebSockets
 * only: a transport that cannot send that frame must never hold a connection that nobody authenticated.
 */
class AuthFrameAdmissionTest {
    private static final Handshake NO_CREDENTIALS = Handshake.builder("127.0.0.1").build();

    private Hub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    private void serveGoodTokensOnly() {
        hub = Hub.builder().authFrameDeadline(Duration.ofSeconds(30)).authorizer(io.herald.spi.Authorizer.OPEN)
                .authenticator((token, h) -> {
                    if (!"good".equals(token)) {
                        throw new AuthenticationException("a good token is required");
                    }
                    return Principal.of("ann");
                }).build();
    }

    @Test
    void aWebSocketWithoutCredentialsAwaitsAnAuthFrameButAStreamIsJudgedAtOnce() {
        serveGoodTokensOnly();
        Admission socket = hub.gateway().admit(NO_CREDENTIALS);
        assertThat(socket.accepted()).isTrue();
        assertThat(socket.awaitingAuth()).isTrue();
        assertThat(hub.gateway().admit(NO_CREDENTIALS, Framing.WEBSOCKET).awaitingAuth()).isTrue();

        Admission stream = hub.gateway().admit(NO_CREDENTIALS, Framing.SSE);
        assertThat(stream.accepted()).isFalse();
        assertThat(stream.httpStatus()).isEqualTo(401);
        assertThat(stream.message()).isEqualTo("a good token is required");

        Admission withToken = hub.gateway().admit(Handshake.builder("127.0.0.1").query("token", "good").build(),
                Framing.SSE);
        assertThat(withToken.accepted()).isTrue();
        assertThat(withToken.awaitingAuth()).isFalse();
        assertThat(withToken.principal().user()).isEqualTo("ann");
    }

    @Test
    void anApplicationThatAcceptsAnonymousCallersStillServesThemAStream() {
        hub = Hub.builder().authFrameDeadline(Duration.ofSeconds(30)).build();
        Admission stream = hub.gateway().admit(NO_CREDENTIALS, Framing.SSE);
        assertThat(stream.accepted()).isTrue();
        assertThat(stream.awaitingAuth()).isFalse();
        assertThat(stream.principal().isAnonymous()).isTrue();
    }

    @Test
    void anAdmissionAwaitingAnAuthFrameCanNeitherOpenAStreamNorSubscribeAtOpenNorPublish() throws Exception {
        serveGoodTokensOnly();
        String missed = hub.publish("t", "missed");
        Admission pending = hub.gateway().admit(NO_CREDENTIALS);

        RecordingTransport stream = new RecordingTransport(Framing.SSE);
        assertThatThrownBy(() -> hub.gateway().open(pending, stream))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth frame");
        assertThatThrownBy(() -> hub.gateway().open(pending, stream,
                new InitialSubscription(List.of("t"), null, missed, List.of())))
                .isInstanceOf(IllegalArgumentException.class);
        RecordingTransport socket = new RecordingTransport(Framing.WEBSOCKET);
        assertThatThrownBy(() -> hub.gateway().open(pending, socket,
                new InitialSubscription(List.of("t"), null, missed, List.of())))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        assertThat(hub.gateway().publish(pending, TestClient.publishBody("t", "\"forged\"")))
                .isInstanceOfSatisfying(ServerMessage.Error.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));

        assertThat(hub.admin().connectionCount()).isZero();
        assertThat(stream.frames()).isEmpty();
        assertThat(socket.frames()).isEmpty();
        assertThat(hub.metrics().eventsPublished()).as("only the event published before").isEqualTo(1);
    }

    @Test
    void aConnectionClosedWhileItAwaitsItsAuthFrameIsLetGoLongBeforeTheDeadline() {
        serveGoodTokensOnly();
        List<WeakReference<Object>> closed = openAwaitingAuthThenClose();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            System.gc();
            assertThat(closed).as("the connection's handle and its handshake, 30 s before the deadline")
                    .allSatisfy(ref -> assertThat(ref.get()).isNull());
        });
    }

    /** @return weak references to what the closed connection held; the strong ones end with this method */
    private List<WeakReference<Object>> openAwaitingAuthThenClose() {
        Handshake handshake = Handshake.builder("127.0.0.1").header("User-Agent", "a client that gave up").build();
        Admission pending = hub.gateway().admit(handshake);
        assertThat(pending.awaitingAuth()).isTrue();
        ConnectionHandle handle = hub.gateway().open(pending, new RecordingTransport(Framing.WEBSOCKET));
        handle.onClosed(CloseReason.NORMAL, "normal");
        assertThat(hub.admin().connectionCount()).isZero();
        return List.of(new WeakReference<>(handle), new WeakReference<>(handshake));
    }

    @Test
    void aGatewayThatOnlyKnowsWebSocketsRefusesAStreamAwaitingAnAuthFrame() {
        serveGoodTokensOnly();
        ConnectionGateway hubs = hub.gateway();
        ConnectionGateway older = new ConnectionGateway() {
            @Override
            public Admission admit(Handshake handshake) {
                return hubs.admit(handshake);
            }

            @Override
            public ConnectionHandle open(Admission admission, Transport transport) {
                return hubs.open(admission, transport);
            }

            @Override
            public ConnectionHandle open(Admission admission, Transport transport, InitialSubscription initial)
                    throws ProtocolException {
                return hubs.open(admission, transport, initial);
            }

            @Override
            public ServerMessage control(String connectionId, String controlToken, Request request) {
                return hubs.control(connectionId, controlToken, request);
            }

            @Override
            public ServerMessage publish(Admission admission, byte[] body) {
                return hubs.publish(admission, body);
            }
        };
        Admission stream = older.admit(NO_CREDENTIALS, Framing.SSE);
        assertThat(stream.accepted()).isFalse();
        assertThat(stream.httpStatus()).isEqualTo(401);
        assertThat(stream.closeCode()).isEqualTo(CloseReason.POLICY_VIOLATION);
        assertThat(older.admit(NO_CREDENTIALS, Framing.WEBSOCKET).awaitingAuth()).isTrue();
    }
}
