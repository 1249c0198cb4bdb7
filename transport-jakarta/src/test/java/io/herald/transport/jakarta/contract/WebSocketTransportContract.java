package io.herald.transport.jakarta.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.RateLimit;
import io.herald.RouteException;
import io.herald.spi.Authorizer;
import io.herald.transport.jakarta.HeraldWebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every container must show with Herald's endpoint, over real sockets. A container's test
 * class extends it and says how to start the container ({@link #start}) and how it refuses handshakes.
 * Back-pressure, heartbeats, shutdown and resume are in {@link WebSocketFlowContract}, which extends this.
 */
public abstract class WebSocketTransportContract extends ContractSupport {
    @Test
    void theFirstFrameIsConnectedAndNamesTheProtocol() throws Exception {
        serve(b -> b.heartbeat(Duration.ofSeconds(7)));
        JdkClient c = track(JdkClient.connect(server.uri()));
        JsonNode connected = c.next();
        assertThat(connected.path("type").asText()).isEqualTo("connected");
        assertThat(connected.path("protocol").asText()).isEqualTo("herald.v1");
        assertThat(connected.path("heartbeatMs").asLong()).isEqualTo(7_000);
        assertThat(connected.path("node").asText()).isEqualTo("it");
        assertThat(connected.path("connectionId").asText()).isNotEmpty();
        assertThat(connected.has("user")).isFalse();
    }

    @Test
    void anOfferedHeraldSubprotocolIsSelectedAndAClientOfferingNoneIsServed() throws Exception {
        serve(b -> b);
        JdkClient offering = track(JdkClient.connect(server.uri(), Map.of(), "other.v2", HeraldWebSocket.SUBPROTOCOL));
        assertThat(offering.subprotocol()).isEqualTo("herald.v1");
        assertThat(offering.next("connected")).isNotNull();
        JdkClient plain = track(JdkClient.connect(server.uri()));
        assertThat(plain.subprotocol()).isEmpty();
        assertThat(plain.next("connected")).isNotNull();
    }

    @Test
    void everyRequestTypeIsAnsweredOverTheWire() throws Exception {
        serve(b -> b.authorizer(Authorizer.OPEN).route("echo", r -> Map.of("youSaid", r.data())));
        JdkClient a = client();
        JdkClient b = client();
        a.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"task.*\"]}");
        assertThat(a.next("subscribed").path("ref").asText()).isEqualTo("s");
        hub.publish("task.created", Map.of("n", 1));
        assertThat(a.next("event").path("data").path("n").asInt()).isEqualTo(1);

        a.send("{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"task.done\",\"data\":{\"n\":2}}");
        JsonNode first = a.next();
        JsonNode second = a.next();
        Map<String, JsonNode> byType = Map.of(first.path("type").asText(), first, second.path("type").asText(), second);
        assertThat(byType.get("published").path("id").asText()).isNotEmpty();
        assertThat(byType.get("event").path("topic").asText()).isEqualTo("task.done");
        a.send("{\"type\":\"unsubscribe\",\"ref\":\"u\",\"topics\":[\"task.*\"]}");
        assertThat(a.next("unsubscribed").path("topics").get(0).asText()).isEqualTo("task.*");

        a.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"chat:general\",\"meta\":{\"name\":\"A\"}}");
        assertThat(a.next("joined").path("members")).hasSize(1);
        b.send("{\"type\":\"join\",\"room\":\"chat:general\"}");
        assertThat(b.next("joined").path("members")).hasSize(2);
        assertThat(a.next("presence").path("action").asText()).isEqualTo("join");
        b.send("{\"type\":\"publish\",\"ref\":\"rp\",\"room\":\"chat:general\",\"topic\":\"chat.message\","
                + "\"data\":{\"text\":\"hi\"}}");
        assertThat(b.next("published").path("ref").asText()).isEqualTo("rp");
        JsonNode roomEvent = a.next("event");
        assertThat(roomEvent.path("room").asText()).isEqualTo("chat:general");
        assertThat(roomEvent.path("data").path("text").asText()).isEqualTo("hi");
        b.send("{\"type\":\"leave\",\"ref\":\"l\",\"room\":\"chat:general\"}");
        assertThat(b.next("left").path("room").asText()).isEqualTo("chat:general");
        assertThat(a.next("presence").path("action").asText()).isEqualTo("leave");

        a.send("{\"type\":\"send\",\"ref\":\"e\",\"route\":\"echo\",\"data\":\"x\"}");
        assertThat(a.next("reply").path("data").path("youSaid").asText()).isEqualTo("x");
        a.send("{\"type\":\"ping\",\"ref\":\"pg\"}");
        assertThat(a.next("pong").path("ts").asLong()).isPositive();
    }

    @Test
    void everyErrorCodeAClientCanCauseArrivesAsAnErrorFrame() throws Exception {
        serve(b -> b.maxSubscriptionsPerConnection(1)
                .route("boom", r -> {
                    throw new IllegalStateException("handler broke");
                })
                .route("internal", r -> {
                    throw new RouteException(ErrorCode.INTERNAL, "backend down");
                }));
        JdkClient c = client();
        assertError(c, "not json", null, "BAD_REQUEST");
        assertError(c, "{\"type\":\"nope\",\"ref\":\"1\"}", "1", "UNKNOWN_TYPE");
        assertError(c, "{\"type\":\"subscribe\",\"ref\":\"2\",\"topics\":[\"a..b\"]}", "2", "INVALID_TOPIC");
        assertError(c, "{\"type\":\"publish\",\"ref\":\"3\",\"topic\":\"a\",\"data\":1}", "3", "FORBIDDEN");
        c.send("{\"type\":\"subscribe\",\"ref\":\"4\",\"topics\":[\"a\"]}");
        assertThat(c.next("subscribed").path("ref").asText()).isEqualTo("4");
        assertError(c, "{\"type\":\"subscribe\",\"ref\":\"5\",\"topics\":[\"b\"]}", "5", "LIMIT_EXCEEDED");
        assertError(c, "{\"type\":\"send\",\"ref\":\"6\",\"route\":\"missing\",\"data\":1}", "6", "NOT_FOUND");
        assertError(c, "{\"type\":\"leave\",\"ref\":\"7\",\"room\":\"nowhere\"}", "7", "NOT_FOUND");
        assertError(c, "{\"type\":\"send\",\"ref\":\"8\",\"route\":\"boom\",\"data\":1}", "8", "HANDLER_ERROR");
        assertError(c, "{\"type\":\"send\",\"ref\":\"9\",\"route\":\"internal\",\"data\":1}", "9", "INTERNAL");
        assertThat(c.isClosed()).as("bad requests never close the connection").isFalse();
    }

    private static void assertError(JdkClient c, String request, String ref, String code) {
        c.send(request);
        JsonNode error = c.next("error");
        assertThat(error.path("code").asText()).as(request).isEqualTo(code);
        if (ref != null) {
            assertThat(error.path("ref").asText()).isEqualTo(ref);
        }
    }

    @Test
    void aFloodOfRequestsIsAnsweredRateLimitedWithARetryDelay() throws Exception {
        serve(b -> b.inboundRate(RateLimit.of(1, 3)).abuseThreshold(1_000));
        JdkClient c = client();
        for (int i = 0; i < 10; i++) {
            c.send("{\"type\":\"ping\",\"ref\":\"r" + i + "\"}");
        }
        JsonNode limited = c.next("error");
        assertThat(limited.path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(limited.path("retryAfterMs").asLong()).isPositive();
    }

    @Test
    void authFramesAuthenticateWhereTheServerAllowsThemAndAWrongOneCloses() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()).authFrameDeadline(Duration.ofSeconds(10)));
        JdkClient c = client();
        assertError(c, "{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"a\"]}", "s", "UNAUTHORIZED");
        c.send("{\"type\":\"auth\",\"ref\":\"a\",\"token\":\"" + TestTokens.valid("ann") + "\"}");
        assertThat(c.next("authenticated").path("user").asText()).isEqualTo("ann");
        c.send("{\"type\":\"subscribe\",\"ref\":\"s2\",\"topics\":[\"a\"]}");
        assertThat(c.next("subscribed").path("ref").asText()).isEqualTo("s2");

        JdkClient wrong = client();
        assertError(wrong, "{\"type\":\"auth\",\"ref\":\"bad\",\"token\":\"mallory.1.x\"}", "bad", "UNAUTHORIZED");
        assertThat(wrong.awaitClose()).isEqualTo(new JdkClient.Close(1008, "unauthorized"));
    }

    @Test
    void aValidTokenIsAcceptedFromHeaderQueryOrCookie() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()).tokenCookie("herald_token")
                .allowedOrigins("https://app.example"));
        String token = TestTokens.valid("ann");
        JdkClient header = track(JdkClient.connect(server.uri(), Map.of("Authorization", "Bearer " + token)));
        assertThat(header.next("connected").path("user").asText()).isEqualTo("ann");
        JdkClient query = track(JdkClient.connect(uri("token=" + token)));
        assertThat(query.next("connected").path("user").asText()).isEqualTo("ann");
        JdkClient cookie = track(JdkClient.connect(server.uri(), Map.of("Cookie", "theme=dark; herald_token=" + token)));
        assertThat(cookie.next("connected").path("user").asText()).isEqualTo("ann");
    }

    @Test
    void aMissingWrongOrExpiredTokenIsRefusedBeforeAnyFrame() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()));
        String forged = TestTokens.valid("ann").replace("ann.", "bob.");
        String expired = TestTokens.sign("ann", System.currentTimeMillis() - 1_000);
        assertRefused(server.uri(), Map.of(), 401, 1008, "unauthorized");
        assertRefused(server.uri(), Map.of("Authorization", "Bearer " + forged), 401, 1008, "unauthorized");
        assertRefused(uri("token=" + expired), Map.of(), 401, 1008, "unauthorized");
    }

    @Test
    void anUpgradeListingSeveralProtocolsIsJudgedLikeAnyOther() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()));
        RawClient c = track(RawClient.connect(server.uri(), Map.of("Upgrade", "h2c, WebSocket"), 0));
        if (refusesBeforeUpgrade()) {
            // 401 where the container upgrades such a request; a container that does not upgrade it says so
            assertThat(c.status()).as("refused before any upgrade").isIn(401, 400, 404);
        } else if (c.status() == 101) {
            assertThat(c.readUntilClose(JdkClient.TIMEOUT).closeCode()).isEqualTo(1008);
        }
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void aHandshakeWhileTheHubShutsDownIsRefusedAndToldWhenToComeBack() throws Exception {
        serve(b -> b);
        hub.close(Duration.ofSeconds(1));
        assertRefused(server.uri(), Map.of(), 503, 1001, "shutdown");
        if (refusesBeforeUpgrade()) {
            java.net.http.WebSocketHandshakeException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    java.net.http.WebSocketHandshakeException.class, () -> track(JdkClient.connect(server.uri(),
                            Map.of())));
            assertThat(e.getResponse().headers().firstValue("Retry-After")).contains("1");
        }
    }

    @Test
    void aForbiddenOriginIsRefusedAndAnAllowedOneIsServed() throws Exception {
        serve(b -> b.allowedOrigins("https://app.example.com"));
        assertRefused(server.uri(), Map.of("Origin", "https://evil.example.net"), 403, 1008, "forbidden-origin");
        JdkClient ok = track(JdkClient.connect(server.uri(), Map.of("Origin", "https://app.example.com")));
        assertThat(ok.next("connected")).isNotNull();
    }

    @Test
    void aBatchParameterThatIsNoNumberOfMillisecondsRefusesTheHandshake() throws Exception {
        serve(b -> b);
        assertRefused(uri("batch=abc"), Map.of(), 400, 1008, "bad-request");
        assertRefused(uri("batch=-5"), Map.of(), 400, 1008, "bad-request");
        JdkClient ok = track(JdkClient.connect(uri("batch=20"), Map.of()));
        assertThat(ok.next("connected")).isNotNull();
    }

    @Test
    void aHandshakeWhoseQueryTheContainerCannotParseIsRefusedNotServedWithoutTheBadParameter() throws Exception {
        assertMalformedQueriesAreRefused();
        JdkClient ok = track(JdkClient.connect(uri("token=" + TestTokens.valid("ann") + "&batch=%32%30"), Map.of()));
        assertThat(ok.next("connected").path("user").asText()).as("well-formed escapes still work").isEqualTo("ann");
    }

    @Test
    void aFrameAboveTheHubsLimitIsClosedWith1009() throws Exception {
        serve(b -> b.maxFrameBytes(1_024));
        JdkClient fits = client();
        String pad = "x".repeat(1_024 - "{\"type\":\"ping\",\"ref\":\"\"}".length());
        fits.send("{\"type\":\"ping\",\"ref\":\"" + pad + "\"}");
        assertThat(fits.next().path("type").asText()).isIn("pong", "error");
        assertThat(fits.isClosed()).isFalse();

        JdkClient tooBig = client();
        tooBig.send("{\"type\":\"ping\",\"ref\":\"" + pad + "x\"}");
        int code = tooBig.awaitClose().code();
        if (dropsTheConnectionAfterRefusingAFrame()) {
            assertThat(code).isIn(1009, 1006);
        } else {
            assertThat(code).isEqualTo(1009);
        }
    }

    @Test
    void aMessageLongerThanTheContainersOwnBuffersButWithinTheLimitIsTakenWhole() throws Exception {
        // the default limit, 64 KiB: Tomcat's default buffers (8,192) and the parts Herald reads it in (1,024)
        // are shorter than this message
        serve(b -> b.authorizer(Authorizer.OPEN));
        JdkClient c = client();
        c.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"big\"]}");
        assertThat(c.next("subscribed")).isNotNull();
        String data = "aé€😀".repeat(4_000);
        c.send("{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"big\",\"data\":\"" + data + "\"}");
        assertThat(c.next("event").path("data").asText()).isEqualTo(data);
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void aFragmentedMessageIsTakenWholeAndOneWhoseFragmentsPassTheLimitIsClosedWith1009() throws Exception {
        serve(b -> b.maxFrameBytes(4_096).authorizer(Authorizer.OPEN));
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 0));
        assertThat(c.read(Duration.ofSeconds(10)).text()).contains("\"connected\"");
        byte[] ping = ("{\"type\":\"ping\",\"ref\":\"frag\",\"pad\":\"" + "é".repeat(1_500) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        int third = ping.length / 3;
        c.sendFrame(RawClient.TEXT, false, Arrays.copyOfRange(ping, 0, third));
        c.sendFrame(RawClient.CONTINUATION, false, Arrays.copyOfRange(ping, third, 2 * third));
        c.sendFrame(RawClient.CONTINUATION, true, Arrays.copyOfRange(ping, 2 * third, ping.length));
        assertThat(c.read(Duration.ofSeconds(10)).text()).contains("\"pong\"").contains("\"frag\"");

        byte[] part = ("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(2_000)).getBytes(StandardCharsets.UTF_8);
        c.sendFrame(RawClient.TEXT, false, part);
        c.sendFrame(RawClient.CONTINUATION, false, "x".repeat(2_000).getBytes(StandardCharsets.UTF_8));
        c.sendFrame(RawClient.CONTINUATION, true, ("x".repeat(2_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        RawClient.Frame f = c.readUntilClose(Duration.ofSeconds(10));
        assertThat(f).isNotNull();
        assertThat(f.closeCode()).isEqualTo(1009);
    }

    @Test
    void aMultibyteFrameAboveTheByteLimitIsClosedWith1009EvenWhereTheContainerCountsCharacters() throws Exception {
        serve(b -> b.maxFrameBytes(1_024));
        JdkClient c = client();
        c.send("{\"type\":\"ping\",\"ref\":\"" + "é".repeat(600) + "\"}");
        assertThat(c.awaitClose().code()).isEqualTo(1009);
        assertThat(c.frames()).as("no TOO_LARGE answer: the transport refuses the frame").isEmpty();
    }

    @Test
    void aRequestRightAfterAFrameRefusedAsTooLargeIsNotExecuted() throws Exception {
        serve(b -> b.maxFrameBytes(1_024).authorizer(Authorizer.OPEN));
        RawClient c = track(RawClient.connect(server.uri(), Map.of(), 0));
        assertThat(c.read(Duration.ofSeconds(10)).text()).contains("\"connected\"");
        // counted in characters the first frame fits a container's limit, in bytes it does not; both frames
        // arrive in one write, so the container hands the second over right after the first
        byte[] tooLarge = c.frame(RawClient.TEXT, true, ("{\"type\":\"ping\",\"ref\":\"" + "é".repeat(600) + "\"}")
                .getBytes(StandardCharsets.UTF_8), false);
        byte[] publish = c.frame(RawClient.TEXT, true, "{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"after.refusal\",\"data\":1}"
                .getBytes(StandardCharsets.UTF_8), false);
        byte[] both = Arrays.copyOf(tooLarge, tooLarge.length + publish.length);
        System.arraycopy(publish, 0, both, tooLarge.length, publish.length);

        c.sendBytes(both);

        List<String> texts = new ArrayList<>();
        RawClient.Frame f = c.readUntilClose(Duration.ofSeconds(10), frame -> {
            if (frame.opcode() == RawClient.TEXT) {
                texts.add(frame.text());
            }
        });
        assertThat(f).isNotNull();
        assertThat(f.closeCode()).isEqualTo(1009);
        assertThat(texts).as("nothing answered after the refusal").isEmpty();
        assertThat(hub.metrics().eventsPublished()).isZero();
    }

    @Test
    void aConnectionBeyondCapacityIsClosedWith1013Capacity() throws Exception {
        serve(b -> b.maxConnections(1, 0, 0));
        client();
        JdkClient second = track(JdkClient.connect(server.uri()));
        assertThat(second.awaitClose()).isEqualTo(new JdkClient.Close(1013, "capacity"));
        assertThat(second.frames()).isEmpty();
    }
}
