package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.spi.Admission;
import io.herald.spi.AuthenticationException;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import io.herald.testing.MutableClock;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handshakes, limits, heartbeats, server-initiated sends and closes, listeners and shutdown. */
class LifecycleTest {
    private Hub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    private static Handshake from(String ip) {
        return Handshake.builder(ip).build();
    }

    @Test
    void handshakeWithoutAcceptableCredentialsIsRejectedWith401() {
        hub = Hub.builder().authenticator((token, h) -> {
            if (token == null) {
                throw new AuthenticationException("token required");
            }
            if (!token.equals("secret")) {
                throw new AuthenticationException("invalid token");
            }
            return Principal.of("u1");
        }).tokenCookie("sess").allowedOrigins("https://app.example.com").build();
        Admission missing = hub.gateway().admit(from("127.0.0.1"));
        assertThat(missing.accepted()).isFalse();
        assertThat(missing.httpStatus()).isEqualTo(401);
        assertThat(missing.closeCode()).isEqualTo(1008);
        assertThat(missing.reason()).isEqualTo("unauthorized");
        assertThat(missing.message()).isEqualTo("token required");
        assertThat(hub.gateway().admit(Handshake.builder("127.0.0.1").header("Authorization", "Bearer nope").build())
                .httpStatus()).isEqualTo(401);
        assertThat(hub.gateway().admit(Handshake.builder("127.0.0.1").header("authorization", "Bearer secret").build())
                .principal().user()).isEqualTo("u1");
        assertThat(hub.gateway().admit(Handshake.builder("127.0.0.1").query("token", "secret").build()).accepted())
                .isTrue();
        assertThat(hub.gateway().admit(Handshake.builder("127.0.0.1").cookie("sess", "secret").build()).accepted())
                .isTrue();
    }

    @Test
    void httpRequestsFromAnAddressOutOfAttemptsAreRefusedBeforeTheirCredentialsAreJudged() {
        AtomicInteger judged = new AtomicInteger();
        hub = Hub.builder().handshakeRate(RateLimit.of(1, 2)).authenticator((token, h) -> {
            int n = judged.incrementAndGet();
            if (n < 5) {
                // guesses judged at the same moment: each passes the check before any of them is counted
                assertThat(hub.gateway().admitRequest(bearer("guess" + n)).httpStatus()).isEqualTo(401);
            }
            if (!"right".equals(token)) {
                throw new AuthenticationException("invalid token");
            }
            return Principal.of("u1");
        }).build();

        assertThat(hub.gateway().admitRequest(bearer("guess0")).httpStatus()).isEqualTo(401);
        assertThat(judged).hasValue(5);

        Admission right = hub.gateway().admitRequest(bearer("right"));
        assertThat(right.httpStatus()).as("a right guess answered like a wrong one").isEqualTo(429);
        assertThat(right.retryAfterMs()).as("every judged guess counted: five against a burst of two")
                .isBetween(3_500L, 4_000L);
        assertThat(judged).as("not judged").hasValue(5);
        assertThat(hub.gateway().admit(bearer("right")).httpStatus()).isEqualTo(429);
    }

    @Test
    void httpRequestsFromANewAddressAreRefusedUnjudgedWhileTheAttemptTableIsFull() {
        AtomicInteger judged = new AtomicInteger();
        hub = Hub.builder().handshakeRate(RateLimit.of(0.001, 1)).authenticator((token, h) -> {
            judged.incrementAndGet();
            return Principal.of("u1");
        }).build();
        int tracked = 100_000;
        for (int i = 0; i < tracked; i++) {
            hub.gateway().admit(Handshake.builder("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255))
                    .build());
        }
        assertThat(hub.gateway().admit(from("10.200.0.1")).httpStatus()).as("the handshake path").isEqualTo(429);
        judged.set(0);

        Admission guess = hub.gateway().admitRequest(Handshake.builder("10.200.0.1")
                .header("Authorization", "Bearer guess").build());

        assertThat(guess.httpStatus()).as("an address the table cannot count is not judged either").isEqualTo(429);
        assertThat(guess.retryAfterMs()).isPositive();
        assertThat(judged).hasValue(0);
    }

    private static Handshake bearer(String token) {
        return Handshake.builder("10.0.0.9").header("Authorization", "Bearer " + token).build();
    }

    @Test
    void forbiddenOriginIsRejectedWith403AndServicesWithoutOriginPass() {
        hub = Hub.builder().allowedOrigins("https://app.example.com").build();
        assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").header("Origin", "https://evil.example").build())
                .httpStatus()).isEqualTo(403);
        assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").header("Origin", "https://app.example.com")
                .build()).accepted()).isTrue();
        assertThat(hub.gateway().admit(from("1.2.3.4")).accepted()).isTrue();
    }

    @Test
    void aRequestAnotherOriginStartedWithoutAnOriginIsRefusedOnlyWhenOriginsAreRestricted() {
        Handshake navigation = Handshake.builder("1.2.3.4").header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "navigate").build();
        hub = Hub.builder().allowedOrigins("https://app.example.com").build();
        Admission refused = hub.gateway().admit(navigation);
        assertThat(refused.httpStatus()).isEqualTo(403);
        assertThat(refused.reason()).isEqualTo("forbidden-origin");
        assertThat(refused.message()).contains("Sec-Fetch-Site: cross-site");
        // an <img> on a sibling subdomain: the same site, so it even carries SameSite=Strict cookies
        assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").header("Sec-Fetch-Site", "same-site").build())
                .httpStatus()).isEqualTo(403);
        for (String site : List.of("same-origin", "none", "Same-Origin")) {
            assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").header("Sec-Fetch-Site", site).build())
                    .accepted()).as(site).isTrue();
        }
        assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").header("Sec-Fetch-Site", "cross-site")
                .header("Origin", "https://app.example.com").build()).accepted())
                .as("a cross-site request from an allowed origin").isTrue();
        hub.close();
        hub = Hub.builder().build();
        assertThat(hub.gateway().admit(navigation).accepted()).as("no allow-list: any site may").isTrue();
    }

    @Test
    void aTokenCookieWithoutAnOriginAllowListIsRefusedAtBuild() {
        // a browser sends the cookie with a WebSocket handshake from any site's page, and WebSocket has no CORS
        assertThatThrownBy(() -> Hub.builder().tokenCookie("session").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenCookie(\"session\") needs allowedOrigins");
        hub = Hub.builder().tokenCookie("session").allowedOrigins("https://app.example.com").build();
        assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").header("Origin", "https://evil.example")
                .header("Cookie", "session=alice").build()).httpStatus()).isEqualTo(403);
    }

    @Test
    void aSecondCloseWaitsUntilTheTransportsHaveReportedTheirCloses() throws Exception {
        hub = Hub.builder().build();
        CountDownLatch closeAsked = new CountDownLatch(1);
        AtomicReference<ConnectionHandle> handle = new AtomicReference<>();
        Transport reporting = new Transport() {
            @Override
            public Framing framing() {
                return Framing.WEBSOCKET;
            }

            @Override
            public void send(List<OutboundFrame> frames, SendCallback callback) {
                callback.completed();
            }

            @Override
            public void close(int code, String reason) {
                closeAsked.countDown(); // the close frame is "on its way": reported later, by the test
            }

            @Override
            public boolean reportsClose() {
                return true;
            }
        };
        handle.set(hub.gateway().open(hub.gateway().admit(from("1.2.3.4")), reporting));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = threads.submit(() -> hub.close(Duration.ofSeconds(30)));
            assertThat(closeAsked.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> second = threads.submit(() -> hub.close(Duration.ofSeconds(30)));
            // neither returns while the transport's close is still on its way (a bounded check, not a sleep)
            assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(first).isNotDone();
            // a later call waits no longer than its own drain, even while the first goes on
            hub.close(Duration.ofMillis(50));
            assertThat(first).isNotDone();
            handle.get().onClosed(1001, "shutdown");
            second.get(10, TimeUnit.SECONDS);
            first.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aListenerThatClosesTheHubDuringItsShutdownDoesNotWaitForItself() throws Exception {
        AtomicReference<Hub> self = new AtomicReference<>();
        AtomicInteger nestedCloses = new AtomicInteger();
        // not the field: were the nested close to wait for itself, the cleanup's close would wait for ever too
        Hub hub = Hub.builder().listener(new HubListener() {
            @Override
            public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
                self.get().close(Duration.ofSeconds(30));
                nestedCloses.incrementAndGet();
            }
        }).build();
        self.set(hub);
        RecordingTransport t = new RecordingTransport(Framing.WEBSOCKET);
        hub.gateway().open(hub.gateway().admit(from("1.2.3.4")), t);
        Future<?> close = Executors.newSingleThreadExecutor(r -> {
            Thread closer = new Thread(r, "closer");
            closer.setDaemon(true);
            return closer;
        }).submit(() -> hub.close(Duration.ofSeconds(5)));
        close.get(20, TimeUnit.SECONDS);
        assertThat(nestedCloses).hasValue(1);
        assertThat(t.closed()).isEqualTo(new RecordingTransport.Close(1001, "shutdown"));
    }

    @Test
    void theOriginCheckAContainerAsksFirstAgreesWithTheAllowList() {
        hub = Hub.builder().allowedOrigins("https://app.example.com").build();
        assertThat(hub.gateway().allowsOrigin("https://app.example.com")).isTrue();
        assertThat(hub.gateway().allowsOrigin("https://evil.example")).isFalse();
        assertThat(hub.gateway().allowsOrigin(null)).as("a request without an Origin").isTrue();
        hub.close(Duration.ZERO);
        hub = Hub.builder().build();
        assertThat(hub.gateway().allowsOrigin("https://anywhere.example")).as("no allow-list").isTrue();
    }

    @Test
    void aBatchParameterThatIsNoWholeNumberOfMillisecondsRefusesTheHandshakeNamingIt() {
        hub = Hub.builder().handshakeRate(RateLimit.UNLIMITED).build();
        for (String bad : List.of("abc", "-5", "1.5", "10ms")) {
            for (Framing framing : List.of(Framing.WEBSOCKET, Framing.SSE)) {
                Admission refused = hub.gateway().admit(Handshake.builder("1.2.3.4").query("batch", bad).build(),
                        framing);
                assertThat(refused.accepted()).as("%s over %s", bad, framing).isFalse();
                assertThat(refused.httpStatus()).isEqualTo(400);
                assertThat(refused.closeCode()).isEqualTo(CloseReason.POLICY_VIOLATION);
                assertThat(refused.reason()).isEqualTo("bad-request");
                assertThat(refused.message()).contains("'batch'", "'" + bad + "'");
            }
        }
        for (String good : List.of("0", "50", " 50 ", "", "99999999999")) {
            assertThat(hub.gateway().admit(Handshake.builder("1.2.3.4").query("batch", good).build()).accepted())
                    .as("batch=%s", good).isTrue();
        }
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void handshakeFloodFromOneAddressIsRateLimitedWith429() {
        hub = Hub.builder().handshakeRate(RateLimit.of(1, 3)).build();
        for (int i = 0; i < 3; i++) {
            assertThat(hub.gateway().admit(from("9.9.9.9")).accepted()).isTrue();
        }
        Admission limited = hub.gateway().admit(from("9.9.9.9"));
        assertThat(limited.httpStatus()).isEqualTo(429);
        assertThat(limited.retryAfterMs()).isPositive();
        assertThat(hub.gateway().admit(from("9.9.9.8")).accepted()).isTrue();
    }

    @Test
    void connectionLimitsCloseWith1013Capacity() {
        hub = Hub.builder().maxConnections(3, 1, 2)
                .authenticator((token, h) -> token == null ? Principal.anonymous() : Principal.of(token)).build();
        TestClient.connect(hub, from("1.1.1.1"), Framing.WEBSOCKET);
        TestClient.connect(hub, from("1.1.1.1"), Framing.WEBSOCKET);
        RecordingTransport perIp = new RecordingTransport(Framing.WEBSOCKET);
        hub.gateway().open(hub.gateway().admit(from("1.1.1.1")), perIp);
        assertThat(perIp.closed()).isEqualTo(new RecordingTransport.Close(1013, "capacity"));

        TestClient.connect(hub, Handshake.builder("2.2.2.2").query("token", "ann").build(), Framing.WEBSOCKET);
        RecordingTransport perUser = new RecordingTransport(Framing.WEBSOCKET);
        hub.gateway().open(hub.gateway().admit(Handshake.builder("3.3.3.3").query("token", "ann").build()), perUser);
        assertThat(perUser.closed()).isEqualTo(new RecordingTransport.Close(1013, "capacity"));

        RecordingTransport total = new RecordingTransport(Framing.WEBSOCKET);
        hub.gateway().open(hub.gateway().admit(from("4.4.4.4")), total);
        assertThat(total.closed()).isEqualTo(new RecordingTransport.Close(1013, "capacity"));
        assertThat(hub.admin().connectionCount()).isEqualTo(3);
    }

    @Test
    void anIpv6ClientCountsAsItsSlash64ForThePerAddressLimitsAndAttempts() {
        hub = Hub.builder().maxConnections(0, 0, 2).handshakeRate(RateLimit.of(0.001, 3)).build();
        // one host picking a new address in its /64 for each connection
        TestClient.connect(hub, from("2001:db8:1:2::a"), Framing.WEBSOCKET);
        TestClient.connect(hub, from("[2001:db8:1:2:ffff::b]"), Framing.WEBSOCKET);
        RecordingTransport third = new RecordingTransport(Framing.WEBSOCKET);
        hub.gateway().open(hub.gateway().admit(from("2001:DB8:1:2:0:0:0:c")), third);
        assertThat(third.closed()).isEqualTo(new RecordingTransport.Close(1013, "capacity"));
        Admission fourth = hub.gateway().admit(from("2001:db8:1:2::d"));
        assertThat(fourth.httpStatus()).as("three attempts from the /64 used its handshake burst").isEqualTo(429);
        // another /64, and an IPv4 client written as IPv4-mapped IPv6 next to the same one written plainly
        assertThat(TestClient.connect(hub, from("2001:db8:1:3::a"), Framing.WEBSOCKET).transport().closed()).isNull();
        TestClient.connect(hub, from("::ffff:192.0.2.1"), Framing.WEBSOCKET);
        TestClient.connect(hub, from("192.0.2.1"), Framing.WEBSOCKET);
        RecordingTransport mapped = new RecordingTransport(Framing.WEBSOCKET);
        hub.gateway().open(hub.gateway().admit(from("::ffff:c000:201")), mapped);
        assertThat(mapped.closed()).isEqualTo(new RecordingTransport.Close(1013, "capacity"));
    }

    @Test
    void silentConnectionIsClosedWithIdleTimeoutAndActiveOnesGetPings() {
        hub = Hub.builder().heartbeat(Duration.ofMillis(200)).build();
        TestClient silent = TestClient.connect(hub);
        TestClient active = TestClient.connect(hub);
        ScheduledExecutorService pongs = Executors.newSingleThreadScheduledExecutor();
        try {
            pongs.scheduleAtFixedRate(() -> active.handle().onActivity(), 0, 20, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> silent.transport().closed() != null);
            assertThat(silent.transport().closed()).isEqualTo(new RecordingTransport.Close(1000, "idle-timeout"));
            assertThat(active.transport().closed()).isNull();
            assertThat(active.transport().pings()).isPositive();
        } finally {
            pongs.shutdownNow();
        }
    }

    @Test
    void aSilentClientWhosePingsWaitBehindAStalledWriteIsClosedOnlyAfterFourHeartbeats() {
        MutableClock clock = new MutableClock();
        hub = Hub.builder().clock(clock).heartbeat(Duration.ofMillis(50)).build();
        TestClient silent = TestClient.connect(hub);
        TestClient behind = TestClient.connect(hub);
        // the server cannot write to it: its pings wait in the hub's queue (a connection storm, a busy container)
        behind.transport().stall();
        await().atMost(Duration.ofSeconds(5)).until(() -> behind.transport().sends() >= 2);
        // the silent client's ping must have been seen written by a heartbeat before the clock moves (the hub
        // counts from that heartbeat): wait for a ping offered by a heartbeat that began after one was written
        await().atMost(Duration.ofSeconds(5)).until(() -> silent.transport().pings() >= 1);
        int written = silent.transport().pings();
        await().atMost(Duration.ofSeconds(5)).until(() -> silent.transport().pings() >= written + 2);

        clock.advance(Duration.ofMillis(150));
        await().atMost(Duration.ofSeconds(5)).until(() -> silent.transport().closed() != null);
        assertThat(silent.transport().closed()).isEqualTo(new RecordingTransport.Close(1000, "idle-timeout"));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> behind.transport().closed() == null);

        clock.advance(Duration.ofMillis(75));
        await().atMost(Duration.ofSeconds(5)).until(() -> behind.transport().closed() != null);
        assertThat(behind.transport().closed()).isEqualTo(new RecordingTransport.Close(1000, "idle-timeout"));
    }

    @Test
    void aClientHeardFromWhoseWritesStoppedIsCutAsASlowConsumerOnceItsBatchHadTimeToDrain() {
        MutableClock clock = new MutableClock();
        hub = Hub.builder().clock(clock).heartbeat(Duration.ofSeconds(1)).build();
        TestClient c = TestClient.connect(hub);
        // its keep-alives show when heartbeats have run
        TestClient watcher = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("t"));
        c.expect("subscribed");
        // the client stops reading with 16 KB in flight: 5 s (the least stall limit) and 2 s more at 8 KiB/s
        c.transport().stallMessages();
        hub.publish("t", Map.of("pad", "x".repeat(16_000)));
        // handed to the transport, which never completes the send
        c.expect("event");
        // a heartbeat has seen the writer busy since its last completed send, before the clock moves
        int ticks = watcher.transport().pings();
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.transport().pings() >= ticks + 2);
        // it keeps sending (pongs) while the clock moves: never silent
        advanceHeard(clock, c, 6_000);
        // (a heartbeat runs within the 1.5 s)
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
                .until(() -> c.transport().closed() == null);
        advanceHeard(clock, c, 1_500);
        await().atMost(Duration.ofSeconds(5)).until(() -> c.transport().closed() != null);
        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1013, "slow-consumer"));
        assertThat(hub.metrics().slowConsumerDisconnects()).isEqualTo(1);
    }

    /** Moves the clock in 50 ms steps, the client heard after each, so no heartbeat finds it silent. */
    private static void advanceHeard(MutableClock clock, TestClient c, int millis) {
        for (int t = 0; t < millis; t += 50) {
            clock.advance(Duration.ofMillis(50));
            c.handle().onActivity();
        }
    }

    @Test
    void unauthenticatedConnectionIsClosedAfterTheAuthDeadline() {
        hub = Hub.builder().authFrameDeadline(Duration.ofMillis(100))
                .authenticator((token, h) -> Principal.of("x")).build();
        TestClient c = TestClient.connect(hub);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> new RecordingTransport.Close(1008, "unauthorized").equals(c.transport().closed()));
    }

    @Test
    void aConnectionClosedByTheDeadlineWhileItsAuthFrameIsJudgedIsNotCountedAgainstTheUser() {
        AtomicReference<TestClient> late = new AtomicReference<>();
        hub = Hub.builder().authFrameDeadline(Duration.ofMillis(100)).maxConnections(0, 1, 0)
                .authenticator((token, h) -> {
                    if ("slow".equals(token)) {
                        // the deadline passes while the authenticator works
                        await().atMost(Duration.ofSeconds(5)).until(() -> late.get().transport().closed() != null);
                    }
                    return Principal.of("ann");
                }).build();
        late.set(TestClient.connect(hub));
        late.get().send("type", "auth", "ref", "a", "token", "slow");
        assertThat(late.get().transport().closed()).isEqualTo(new RecordingTransport.Close(1008, "unauthorized"));
        assertThat(hub.admin().connectionsOf("ann")).isEmpty();
        assertThat(hub.sendToUser("ann", "notice", "x")).isZero();

        TestClient next = TestClient.connect(hub);
        next.send("type", "auth", "ref", "b", "token", "fast");
        assertThat(next.expect("authenticated").path("user").asText()).isEqualTo("ann");
        assertThat(hub.admin().connectionsOf("ann")).hasSize(1);
    }

    @Test
    void serverSendsReachOneConnectionOrEveryConnectionOfAUser() {
        hub = Hub.builder().authenticator((token, h) -> token == null ? Principal.anonymous() : Principal.of(token))
                .build();
        TestClient ann1 = TestClient.connect(hub, Handshake.builder("1.1.1.1").query("token", "ann").build(),
                Framing.WEBSOCKET);
        TestClient ann2 = TestClient.connect(hub, Handshake.builder("1.1.1.2").query("token", "ann").build(),
                Framing.WEBSOCKET);
        TestClient bob = TestClient.connect(hub, Handshake.builder("1.1.1.3").query("token", "bob").build(),
                Framing.WEBSOCKET);
        assertThat(ann1.connected().path("user").asText()).isEqualTo("ann");
        assertThat(hub.sendToUser("ann", "notice.new", Map.of("n", 1))).isEqualTo(2);
        assertThat(ann1.expect("event").path("topic").asText()).isEqualTo("notice.new");
        assertThat(ann2.expect("event").path("topic").asText()).isEqualTo("notice.new");
        assertThat(hub.sendToConnection(bob.id(), "notice.direct", "hi")).isTrue();
        assertThat(bob.expect("event").path("data").asText()).isEqualTo("hi");
        assertThat(hub.sendToConnection("no-such-connection", "notice.direct", "hi")).isFalse();
        assertThat(ann1.poll(Duration.ofMillis(50))).isNull();

        TestClient late = TestClient.connect(hub);
        late.send("type", "subscribe", "topics", List.of("**"), "since", ann1.connected().path("connectionId")
                .asText());
        late.expect("subscribed");
        assertThat(late.poll(Duration.ofMillis(50))).as("direct sends are never replayed").isNull();

        assertThat(hub.disconnectUser("ann", CloseReason.DISCONNECTED)).isEqualTo(2);
        assertThat(ann1.transport().closed()).isEqualTo(new RecordingTransport.Close(1000, "disconnected"));
        assertThat(hub.disconnect(bob.id(), new CloseReason(4000, "kicked"))).isTrue();
        assertThat(bob.transport().closed()).isEqualTo(new RecordingTransport.Close(4000, "kicked"));
        assertThat(hub.admin().connectionCount()).isEqualTo(1);
    }

    @Test
    void aCloseCodeNoServerMaySendIsRefusedBeforeTheConnectionIsLetGo() {
        hub = Hub.builder().build();
        TestClient c = TestClient.connect(hub);
        for (int code : List.of(1004, 1005, 1006, 1014, 1015, 2000, 2999)) {
            assertThatThrownBy(() -> hub.disconnect(c.id(), new CloseReason(code, "kicked")))
                    .as("code %d", code).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("was " + code);
            assertThatThrownBy(() -> hub.disconnectUser("anyone", new CloseReason(code, "kicked")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(hub.admin().connection(c.id())).isPresent();
        for (int code : List.of(1000, 1003, 1007, 1013, 3000, 4999)) {
            assertThat(new CloseReason(code, "x").sendable()).as("code %d", code).isTrue();
        }
        assertThat(hub.disconnect(c.id(), new CloseReason(3000, "kicked"))).isTrue();
    }

    @Test
    void listenersSeeConnectJoinLeaveDisconnectAndHandlerErrors() {
        List<String> seen = new CopyOnWriteArrayList<>();
        hub = Hub.builder().listener(new HubListener() {
            @Override
            public void onConnected(ConnectionInfo c) {
                seen.add("connected");
            }

            @Override
            public void onDisconnected(ConnectionInfo c, CloseReason reason) {
                seen.add("disconnected:" + reason.reason() + ":" + c.rooms());
            }

            @Override
            public void onJoin(String room, Member member) {
                seen.add("join:" + room);
            }

            @Override
            public void onLeave(String room, Member member) {
                seen.add("leave:" + room);
            }

            @Override
            public void onError(String connectionId, Throwable error) {
                seen.add("error:" + error.getMessage());
            }
        }).route("bad", r -> {
            throw new IllegalArgumentException("nope");
        }).build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "join", "room", "lobby");
        c.expect("joined");
        c.send("type", "send", "route", "bad", "data", 1);
        assertThat(c.expect("error").path("message").asText()).isEqualTo("nope");
        c.close();
        assertThat(c.transport().closeCalls()).as("a transport that closed itself is not closed again").isZero();
        assertThat(seen).containsExactly("connected", "join:lobby", "error:nope", "leave:lobby",
                "disconnected:normal:[lobby]");
    }

    @Test
    void shutdownFlushesQueuedEventsThenClosesWith1001() {
        hub = Hub.builder().build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("t"));
        c.expect("subscribed");
        c.transport().stall();
        for (int i = 0; i < 5; i++) {
            hub.publish("t", i);
        }
        Thread resumer = new Thread(() -> {
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.admin().connectionCount() == 0);
            c.transport().resume();
        });
        resumer.start();
        hub.close(Duration.ofSeconds(5));
        assertThat(c.drain()).extracting(f -> f.path("data").asInt()).containsExactly(0, 1, 2, 3, 4);
        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1001, "shutdown"));
        assertThat(c.transport().closeCalls()).isEqualTo(1);
        assertThat(hub.gateway().admit(from("127.0.0.1")).httpStatus()).isEqualTo(503);
    }

    @Test
    void shutdownDoesNotWaitPastItsDeadlineForAStuckClient() {
        hub = Hub.builder().build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("t"));
        c.expect("subscribed");
        c.transport().stall();
        hub.publish("t", 1);
        hub.publish("t", 2);
        long start = System.nanoTime();
        hub.close(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1001, "shutdown"));
    }

    @Test
    void clientRequestedBatchingWrapsSeveralEventsInOneBatchFrame() {
        hub = Hub.builder().build();
        // the longest window a client may ask for, so that a busy machine cannot spread five publishes over two
        // windows (50 ms did, once, in CI)
        TestClient c = TestClient.connect(hub, Handshake.builder("127.0.0.1").query("batch", "1000").build(),
                Framing.WEBSOCKET);
        c.send("type", "subscribe", "topics", List.of("t"));
        c.expect("subscribed");
        for (int i = 0; i < 5; i++) {
            hub.publish("t", i);
        }
        JsonNode batch = c.expect("batch");
        assertThat(batch.path("frames")).hasSize(5);
        assertThat(batch.path("frames").get(4).path("data").asInt()).isEqualTo(4);
    }
    @Test
    void connectionOpenedWhileTheHubClosesIsClosedWithShutdownNotLeftOpen() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport socket = new RecordingTransport(Framing.WEBSOCKET);
        AtomicInteger asked = new AtomicInteger();
        Transport closingMeanwhile = new Transport() {
            @Override
            public Framing framing() {
                // first asked after the gateway's check that the hub is open: the hub closes right then
                if (asked.incrementAndGet() == 1) {
                    hub.close(Duration.ZERO);
                }
                return socket.framing();
            }

            @Override
            public void send(List<OutboundFrame> frames, SendCallback callback) {
                socket.send(frames, callback);
            }

            @Override
            public void close(int code, String reason) {
                socket.close(code, reason);
            }
        };

        hub.gateway().open(hub.gateway().admit(from("127.0.0.1")), closingMeanwhile, null);

        assertThat(socket.closed()).isEqualTo(new RecordingTransport.Close(1001, "shutdown"));
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void whatIsSentToAUserNeverComesBeforeAConnectionsConnectedFrame() throws Exception {
        hub = Hub.builder().authenticator((token, h) -> Principal.of("u1")).handshakeRate(RateLimit.UNLIMITED)
                .build();
        Handshake user = Handshake.builder("127.0.0.1").header("Authorization", "Bearer t").build();
        AtomicInteger sent = new AtomicInteger();
        Thread pusher = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                hub.sendToUser("u1", "note", "n");
                sent.incrementAndGet();
            }
        });
        pusher.start();
        int opened = 0;
        int pushedRightAfter = 0;
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() > 0);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (; opened < 1_000 && System.nanoTime() < end; opened++) {
                RecordingTransport t = new RecordingTransport(Framing.WEBSOCKET);
                ConnectionHandle h = hub.gateway().open(hub.gateway().admit(user), t, null);
                assertThat(t.frames().poll(10, TimeUnit.SECONDS)).as("first frame of connection %d", opened)
                        .startsWith("{\"type\":\"connected\"");
                if (t.frames().poll(100, TimeUnit.MILLISECONDS) != null) {
                    pushedRightAfter++;
                }
                hub.disconnect(h.connectionId(), CloseReason.DISCONNECTED);
            }
        } finally {
            pusher.interrupt();
            pusher.join(10_000);
        }
        assertThat(pushedRightAfter).as("of %d connections, those pushed to while the pusher ran", opened)
                .isPositive();
    }
}
