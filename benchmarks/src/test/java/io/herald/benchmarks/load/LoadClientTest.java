package io.herald.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import io.herald.Hub;
import io.herald.Principal;
import io.herald.RateLimit;
import io.herald.spi.Authorizer;
import io.herald.transport.jakarta.HeraldJettyWebSocket;
import io.herald.transport.sse.HeraldSse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The load client against a real Herald server on loopback: what it counts is what was sent. */
class LoadClientTest {
    private static final int CONNECTIONS = 30;
    private static final int EVENTS = 40;

    private Hub hub;
    private Server server;
    private InetSocketAddress address;

    @BeforeEach
    void startServer() throws Exception {
        hub = Hub.builder()
                .node("load-client-test")
                .authorizer(new Authorizer() {
                    @Override
                    public boolean maySubscribe(Principal principal, String pattern) {
                        // a policy that takes a while (a lookup elsewhere): subscriptions are answered late
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                        return true;
                    }

                    @Override
                    public boolean mayPublish(Principal principal, String topic) {
                        return true;
                    }
                })
                .maxConnections(0, 0, 0)
                .handshakeRate(RateLimit.UNLIMITED)
                .publishRate(RateLimit.UNLIMITED)
                .inboundRate(RateLimit.UNLIMITED)
                .build();
        server = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        // the core API's upgrade handler needs the context attached to its server, as in BenchServer
        server.setHandler(context);
        HeraldJettyWebSocket.register(context, hub, "/ws");
        context.addServlet(new ServletHolder("sse", HeraldSse.builder(hub).build().servlet()), "/events/*");
        BenchServer.start(server, context, 0);
        address = new InetSocketAddress("127.0.0.1", ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    }

    @AfterEach
    void stopServer() throws Exception {
        hub.close(Duration.ofSeconds(2));
        server.stop();
    }

    private long subscribed() {
        return hub.admin().connections().stream().filter(c -> c.subscriptions().contains("bench.all")).count();
    }

    @Test
    void everyEventInABatchFrameIsCountedAndTimed() throws Exception {
        long epoch = System.nanoTime();
        try (LoadClient client = new LoadClient(epoch, LoadClient.Mode.WEBSOCKET, "herald.v1",
                LoadClient.Framing.PLAIN, 2)) {
            client.connect(address, i -> "/ws?batch=200", CONNECTIONS,
                    i -> "{\"type\":\"subscribe\",\"topics\":[\"bench.all\"]}", 10_000);
            assertThat(client.upgradedCount()).isEqualTo(CONNECTIONS);
            try (Publisher publisher = new Publisher(address, Publisher.Format.HERALD, epoch, 100)) {
                for (int seq = 1; seq <= EVENTS; seq++) {
                    publisher.publish("bench.all", seq, System.nanoTime());
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> client.delivered.get() == (long) EVENTS * CONNECTIONS);
            }
            assertThat(client.latency().count()).isEqualTo((long) EVENTS * CONNECTIONS);
            assertThat(client.lost.get()).isZero();
            assertThat(client.duplicated.get()).isZero();
            assertThat(client.lastSeqs()).containsOnly((long) EVENTS);
        }
    }

    @ParameterizedTest
    @EnumSource(LoadClient.Mode.class)
    void withSeveralReadersEveryDeliveryIsCountedAndTimedOnceAndEveryEventIsTracked(LoadClient.Mode mode)
            throws Exception {
        long epoch = System.nanoTime();
        boolean sse = mode == LoadClient.Mode.SSE;
        try (LoadClient client = new LoadClient(epoch, mode, "herald.v1", LoadClient.Framing.PLAIN, 3)) {
            client.connect(address, i -> sse ? "/events?topics=bench.all" : "/ws", CONNECTIONS,
                    i -> sse ? null : "{\"type\":\"subscribe\",\"ref\":\"s" + i + "\",\"topics\":[\"bench.all\"]}",
                    10_000);
            assertThat(client.upgradedCount()).isEqualTo(CONNECTIONS);
            EventSpread spread = new EventSpread(EVENTS + 1);
            client.trackEvents(spread);
            if (sse) {
                await().atMost(Duration.ofSeconds(20)).until(() -> subscribed() == CONNECTIONS);
            } else {
                assertThat(subscribed()).as("connect returns once every subscribe is answered, so the first"
                        + " event reaches every subscriber").isEqualTo(CONNECTIONS);
            }
            try (Publisher publisher = new Publisher(address, Publisher.Format.HERALD, epoch, 100)) {
                for (int seq = 1; seq <= EVENTS; seq++) {
                    publisher.publish("bench.all", seq, System.nanoTime());
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> client.delivered.get() == (long) EVENTS * CONNECTIONS);
                assertThat(client.latency().count()).as("one latency per delivery, from every reader")
                        .isEqualTo((long) EVENTS * CONNECTIONS);
                assertThat(client.lost.get()).isZero();
                assertThat(client.duplicated.get()).isZero();
                assertThat(client.lastSeqs()).containsOnly((long) EVENTS);
                assertThat(client.closedByServer.get()).isZero();
                assertThat(spread.summary(1, EVENTS + 1)).startsWith("per event (" + EVENTS + " events)");

                publisher.publish("bench.all", EVENTS, System.nanoTime());
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> client.duplicated.get() == CONNECTIONS);
                assertThat(client.delivered.get()).as("a duplicate is not a delivery: it would hide a lost one")
                        .isEqualTo((long) EVENTS * CONNECTIONS);
                assertThat(client.latency().count()).isEqualTo((long) EVENTS * CONNECTIONS);
            }
        }
    }

    @Test
    void aRefusedSubscribeEndsTheWaitAtOnceAndSaysWhy() throws Exception {
        try (LoadClient client = new LoadClient(System.nanoTime(), LoadClient.Mode.WEBSOCKET, "herald.v1",
                LoadClient.Framing.PLAIN, 2)) {
            // a deadline far beyond the test's own limit: only the refusal can end the wait in time
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> client.connect(address, i -> "/ws", CONNECTIONS,
                    i -> "{\"type\":\"subscribe\",\"topics\":[\"" + (i == 7 ? "bad..topic" : "bench.all") + "\"]}",
                    600_000));
            assertThat(client.closedByServer.get()).isEqualTo(1);
            assertThat(client.firstFailure).contains("the subscribe was refused").contains("bad..topic");
        }
    }
}
