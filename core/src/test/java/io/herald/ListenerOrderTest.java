package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.spi.Authorizer;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listener calls about one connection come in the order of the changes they report, even when the
 * connection closes while another thread is changing it: presence kept by an application from these
 * calls must end where the hub's does.
 */
class ListenerOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch proceed = new CountDownLatch(1);
    private final ExecutorService other = Executors.newSingleThreadExecutor();
    private Hub hub;

    @AfterEach
    void close() throws InterruptedException {
        proceed.countDown();
        other.shutdown();
        assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    /** Records every call; {@code blockOn} (a call's text) waits, once, until the test lets it go on. */
    private HubListener recorder(String blockOn) {
        return new HubListener() {
            @Override
            public void onConnected(ConnectionInfo connection) {
                record("connected");
            }

            @Override
            public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
                record("disconnected");
            }

            @Override
            public void onJoin(String room, Member member) {
                record("join " + room);
            }

            @Override
            public void onLeave(String room, Member member) {
                record("leave " + room);
            }

            private void record(String call) {
                calls.add(call);
                if (call.equals(blockOn) && blocked.getCount() > 0) {
                    blocked.countDown();
                    awaitQuietly(proceed);
                }
            }
        };
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Allows joins; with latches, a join judged once the connection is registered waits for the test. */
    private Authorizer joinsAllowed(CountDownLatch entered, CountDownLatch goOn) {
        return new Authorizer() {
            @Override
            public boolean mayJoin(Principal principal, String room) {
                // the gateway judges initial rooms once before it registers the connection, then joins them
                if (entered != null && hub.admin().connectionCount() > 0) {
                    entered.countDown();
                    awaitQuietly(goOn);
                }
                return true;
            }
        };
    }

    @Test
    void connectionClosedWhileItOpensReportsConnectedBeforeDisconnected() throws Exception {
        hub = Hub.builder().authorizer(joinsAllowed(blocked, proceed)).listener(recorder(null)).build();
        Future<?> opening = other.submit(() -> hub.gateway().open(
                hub.gateway().admit(Handshake.builder("127.0.0.1").build()), new RecordingTransport(Framing.SSE),
                new InitialSubscription(List.of(), null, null, List.of("lobby"))));
        assertThat(blocked.await(10, TimeUnit.SECONDS)).as("open reached the initial room").isTrue();

        String id = hub.admin().connections().get(0).connectionId();
        assertThat(hub.disconnect(id, CloseReason.DISCONNECTED)).isTrue();
        proceed.countDown();
        opening.get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> calls.size() >= 2);
        assertThat(calls).containsExactly("connected", "disconnected");
        assertThat(hub.admin().rooms()).isEmpty();
    }

    @Test
    void joinThatRacesACloseIsReportedBeforeTheCloseLeavesTheRoom() throws Exception {
        hub = Hub.builder().singleRoomPerConnection(true).authorizer(joinsAllowed(null, null))
                .listener(recorder("leave a")).build();
        TestClient client = TestClient.connect(hub);
        client.send("type", "join", "room", "a");
        client.expect("joined");
        // joining b leaves a once b is joined; onLeave(a) holds the joining thread after the lock is released
        Future<?> joining = other.submit(() -> client.send("type", "join", "room", "b"));
        assertThat(blocked.await(10, TimeUnit.SECONDS)).as("onLeave(a) running").isTrue();

        assertThat(hub.disconnect(client.id(), CloseReason.DISCONNECTED)).isTrue();
        proceed.countDown();
        joining.get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> calls.contains("disconnected"));
        assertThat(calls).containsExactly("connected", "join a", "join b", "leave a", "leave b", "disconnected");
        assertThat(hub.admin().rooms()).isEmpty();
    }

    @Test
    void listenerThatClosesItsConnectionGetsOnDisconnectedAfterItReturns() {
        List<String> seen = new CopyOnWriteArrayList<>();
        hub = Hub.builder().listener(new HubListener() {
            @Override
            public void onConnected(ConnectionInfo connection) {
                seen.add("connected: start");
                hub.disconnect(connection.connectionId(), CloseReason.DISCONNECTED);
                seen.add("connected: end");
            }

            @Override
            public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
                seen.add("disconnected " + reason.reason());
            }
        }).build();

        TestClient.connect(hub);

        await().atMost(WAIT).until(() -> seen.size() >= 3);
        assertThat(seen).containsExactly("connected: start", "connected: end", "disconnected disconnected");
        assertThat(hub.admin().connectionCount()).isZero();
    }
}
