package io.herald.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Herald on Tomcat as the load generator runs it: {@code benchmarks-tomcat.jar}, just packaged, started as
 * its own process, with subscribers on the load generator's client and events from its publisher.
 */
class TomcatBenchServerIT {
    private static final int CONNECTIONS = 20;
    private static final int EVENTS = 30;

    /**
     * Publishes events {@code 1..events} to every subscriber and waits until each has them all, once, in order,
     * its connection still open.
     */
    private static void publishAndAwaitEveryEvent(Peer peer, LoadClient client, long epoch, int events)
            throws Exception {
        assertThat(client.upgradedCount()).isEqualTo(CONNECTIONS);
        try (Publisher publisher = peer.publisher(epoch, 100)) {
            for (int seq = 1; seq <= events; seq++) {
                publisher.publish("bench.all", seq, System.nanoTime());
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> client.delivered.get() == (long) events * CONNECTIONS);
        }
        assertThat(client.lost.get()).isZero();
        assertThat(client.duplicated.get()).isZero();
        assertThat(client.closedByServer.get()).isZero();
        assertThat(client.lastSeqs()).containsOnly((long) events);
    }

    @Test
    void batchFramesLongerThanTomcatsBufferAreTakenInFragmentsAndEveryEventInThemCounts() throws Exception {
        long epoch = System.nanoTime();
        try (Peer peer = Peer.start(Peer.Kind.HERALD_TOMCAT, List.of());
                LoadClient client = new LoadClient(epoch, LoadClient.Mode.WEBSOCKET, peer.subprotocol(),
                        peer.framing(), 2)) {
            // a 300 ms window gathers the burst below into frames of tens of KiB, which Tomcat sends in 8 KiB
            // fragments
            client.connect(peer.address, i -> "/ws?batch=300", CONNECTIONS,
                    i -> peer.subscribeMessage(LoadClient.Mode.WEBSOCKET, "bench.all"), 20_000);
            publishAndAwaitEveryEvent(peer, client, epoch, 300);
        }
    }

    @ParameterizedTest
    @EnumSource(LoadClient.Mode.class)
    void everySubscriberGetsEveryEventOnceInOrder(LoadClient.Mode mode) throws Exception {
        long epoch = System.nanoTime();
        try (Peer peer = Peer.start(Peer.Kind.HERALD_TOMCAT, List.of());
                LoadClient client = new LoadClient(epoch, mode, peer.subprotocol(), peer.framing(), 2)) {
            client.connect(peer.address, i -> peer.subscriberPath(mode, "bench.all"), CONNECTIONS,
                    i -> peer.subscribeMessage(mode, "bench.all"), 20_000);
            publishAndAwaitEveryEvent(peer, client, epoch, EVENTS);
            assertThat(peer.cpuTicks()[0] + peer.cpuTicks()[1]).as("the server's CPU time is read").isPositive();
        }
    }

    @Test
    void onTheServletUpgradeEverySubscriberGetsEveryEventOnceInOrderInPlainAndBatchFrames() throws Exception {
        long epoch = System.nanoTime();
        try (Peer peer = Peer.start(Peer.Kind.HERALD_TOMCAT_UPGRADE, List.of());
                LoadClient plain = new LoadClient(epoch, LoadClient.Mode.WEBSOCKET, peer.subprotocol(),
                        peer.framing(), 2)) {
            plain.connect(peer.address, i -> peer.subscriberPath(LoadClient.Mode.WEBSOCKET, "bench.all"),
                    CONNECTIONS, i -> peer.subscribeMessage(LoadClient.Mode.WEBSOCKET, "bench.all"), 20_000);
            publishAndAwaitEveryEvent(peer, plain, epoch, EVENTS);
            try (LoadClient batched = new LoadClient(epoch, LoadClient.Mode.WEBSOCKET, peer.subprotocol(),
                    peer.framing(), 2)) {
                batched.connect(peer.address, i -> "/ws?batch=300", CONNECTIONS,
                        i -> peer.subscribeMessage(LoadClient.Mode.WEBSOCKET, "bench.all"), 20_000);
                publishAndAwaitEveryEvent(peer, batched, epoch, 300);
            }
        }
    }
}
