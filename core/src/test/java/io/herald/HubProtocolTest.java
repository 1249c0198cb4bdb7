package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.spi.AuthenticationException;
import io.herald.spi.Authorizer;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.ServerMessage;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every request type, every success answer and every error code of the protocol, through the real gateway. */
class HubProtocolTest {
    private Hub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close(Duration.ofSeconds(1));
        }
    }

    private Hub open(HubBuilder b) {
        hub = b.node("test-node").build();
        return hub;
    }

    @Test
    void connectedIsTheFirstFrameAndNamesProtocolNodeAndHeartbeat() {
        open(Hub.builder().heartbeat(Duration.ofSeconds(7)));
        TestClient c = TestClient.connect(hub);
        JsonNode f = c.connected();
        assertThat(f.path("type").asText()).isEqualTo("connected");
        assertThat(f.path("connectionId").asText()).isEqualTo(c.id()).isNotEmpty();
        assertThat(f.path("protocol").asText()).isEqualTo("herald.v1");
        assertThat(f.path("heartbeatMs").asLong()).isEqualTo(7000);
        assertThat(f.path("node").asText()).isEqualTo("test-node");
        assertThat(f.has("user")).isFalse();
    }

    @Test
    void subscribeIsAnsweredThenEventsOfMatchingTopicsArrive() {
        open(Hub.builder());
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "ref", "r1", "topics", List.of("task.*"));
        JsonNode ok = c.expect("subscribed");
        assertThat(ok.path("ref").asText()).isEqualTo("r1");
        assertThat(ok.path("topics").get(0).asText()).isEqualTo("task.*");
        assertThat(ok.has("recovered")).isFalse();

        String id = hub.publish("task.created", Map.of("id", 7));
        hub.publish("other.created", Map.of("id", 8));
        hub.publish("task.a.b", Map.of("id", 9));
        JsonNode e = c.expect("event");
        assertThat(e.path("topic").asText()).isEqualTo("task.created");
        assertThat(e.path("id").asText()).isEqualTo(id);
        assertThat(e.path("data").path("id").asInt()).isEqualTo(7);
        assertThat(e.path("ts").asLong()).isPositive();
        assertThat(e.has("from")).isFalse();
        assertThat(c.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void overlappingPatternsDeliverAnEventOnce() {
        open(Hub.builder());
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("task.*", "task.created", "**"));
        c.expect("subscribed");
        hub.publish("task.created", 1);
        c.expect("event");
        assertThat(c.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void unsubscribeStopsDelivery() {
        open(Hub.builder());
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("a.b"));
        c.expect("subscribed");
        c.send("type", "unsubscribe", "ref", "u", "topics", List.of("a.b"));
        JsonNode ok = c.expect("unsubscribed");
        assertThat(ok.path("ref").asText()).isEqualTo("u");
        assertThat(ok.path("topics").get(0).asText()).isEqualTo("a.b");
        hub.publish("a.b", 1);
        assertThat(c.poll(Duration.ofMillis(100))).isNull();
        assertThat(hub.metrics().subscriptions()).isZero();
    }

    @Test
    void filterRestrictsDeliveryByDataFields() {
        open(Hub.builder());
        TestClient c = TestClient.connect(hub);
        c.sendRaw("{\"type\":\"subscribe\",\"topics\":[\"alert.*\"],\"filter\":{\"priority\":[\"high\",\"critical\"],"
                + "\"score\":{\"gte\":80}}}");
        c.expect("subscribed");
        hub.publish("alert.cpu", Map.of("priority", "low", "score", 99));
        hub.publish("alert.cpu", Map.of("priority", "high", "score", 10));
        hub.publish("alert.cpu", Map.of("priority", "high"));
        hub.publish("alert.disk", Map.of("priority", "critical", "score", 80));
        JsonNode e = c.expect("event");
        assertThat(e.path("topic").asText()).isEqualTo("alert.disk");
        assertThat(c.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void joinAnswersMembersAndTellsOthersAndLeaveToo() {
        open(Hub.builder());
        TestClient a = TestClient.connect(hub);
        TestClient b = TestClient.connect(hub);
        a.sendRaw("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"chat:general\",\"meta\":{\"name\":\"ann\"}}");
        JsonNode joined = a.expect("joined");
        assertThat(joined.path("ref").asText()).isEqualTo("j");
        assertThat(joined.path("members")).hasSize(1);
        b.send("type", "join", "room", "chat:general");
        assertThat(b.expect("joined").path("members")).hasSize(2);
        JsonNode p = a.expect("presence");
        assertThat(p.path("action").asText()).isEqualTo("join");
        assertThat(p.path("member").path("connectionId").asText()).isEqualTo(b.id());
        assertThat(hub.admin().members("chat:general")).extracting(Member::connectionId).containsExactly(a.id(), b.id());

        b.send("type", "leave", "ref", "l", "room", "chat:general");
        assertThat(b.expect("left").path("room").asText()).isEqualTo("chat:general");
        JsonNode left = a.expect("presence");
        assertThat(left.path("action").asText()).isEqualTo("leave");
        assertThat(left.path("member").path("connectionId").asText()).isEqualTo(b.id());
        assertThat(left.path("member").has("meta")).isFalse();
    }

    @Test
    void roomPublishReachesMembersWithRoomAndFromAndEchoCanBeTurnedOff() {
        open(Hub.builder());
        TestClient a = TestClient.connect(hub);
        TestClient b = TestClient.connect(hub);
        a.send("type", "join", "room", "r1");
        a.expect("joined");
        b.send("type", "join", "room", "r1");
        b.expect("joined");
        a.expect("presence");
        a.send("type", "publish", "ref", "p", "room", "r1", "topic", "chat.message", "data", Map.of("text", "hi"));
        JsonNode own = a.expect("event");
        assertThat(own.path("room").asText()).isEqualTo("r1");
        assertThat(own.path("from").asText()).isEqualTo(a.id());
        JsonNode published = a.expect("published");
        assertThat(published.path("id").asText()).isEqualTo(own.path("id").asText());
        assertThat(b.expect("event").path("data").path("text").asText()).isEqualTo("hi");

        a.send("type", "publish", "room", "r1", "topic", "chat.typing", "data", true, "echo", false);
        assertThat(a.expect("published")).isNotNull();
        assertThat(b.expect("event").path("topic").asText()).isEqualTo("chat.typing");
        assertThat(a.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void topicPublishFromAClientNeedsPermission() {
        open(Hub.builder().authorizer(Authorizer.OPEN));
        TestClient a = TestClient.connect(hub);
        TestClient b = TestClient.connect(hub);
        b.send("type", "subscribe", "topics", List.of("news.**"));
        b.expect("subscribed");
        a.send("type", "publish", "ref", "x", "topic", "news.today", "data", Map.of("h", 1));
        assertThat(a.expect("published").path("ref").asText()).isEqualTo("x");
        JsonNode e = b.expect("event");
        assertThat(e.path("from").asText()).isEqualTo(a.id());
    }

    @Test
    void sendIsRoutedToItsHandlerAndItsReturnValueIsTheReply() {
        open(Hub.builder().route("math.add", r -> r.data().path("a").asInt() + r.data().path("b").asInt()));
        TestClient c = TestClient.connect(hub);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"s1\",\"route\":\"math.add\",\"data\":{\"a\":2,\"b\":3}}");
        JsonNode reply = c.expect("reply");
        assertThat(reply.path("ref").asText()).isEqualTo("s1");
        assertThat(reply.path("data").asInt()).isEqualTo(5);
    }

    @Test
    void aRouteRefusalWithoutAMessageIsSentWithItsCodeAsTheMessage() {
        open(Hub.builder().route("quiet", r -> {
            throw new RouteException(ErrorCode.FORBIDDEN, null);
        }));
        TestClient c = TestClient.connect(hub);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"s\",\"route\":\"quiet\",\"data\":1}");
        JsonNode e = c.expect("error");
        assertThat(e.path("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(e.path("message").asText()).isEqualTo("FORBIDDEN");
        assertThatThrownBy(() -> new RouteException(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("error code");
    }

    @Test
    void aRouteThatRateLimitsSaysWhenToRetryAndAHugeMessageIsCutNotFatal() {
        open(Hub.builder().route("busy", r -> {
            throw new RouteException(ErrorCode.RATE_LIMITED, "slow down");
        }).route("later", r -> {
            throw new RouteException(ErrorCode.RATE_LIMITED, "in a minute", 60_000);
        }).route("verbose", r -> {
            throw new IllegalStateException("upstream said: " + "x".repeat(8_000_000));
        }));
        TestClient c = TestClient.connect(hub);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"b\",\"route\":\"busy\",\"data\":1}");
        JsonNode busy = c.expect("error");
        assertThat(busy.path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(busy.path("retryAfterMs").asLong()).isEqualTo(RouteException.DEFAULT_RETRY_AFTER_MS);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"l\",\"route\":\"later\",\"data\":1}");
        assertThat(c.expect("error").path("retryAfterMs").asLong()).isEqualTo(60_000);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"v\",\"route\":\"verbose\",\"data\":1}");
        JsonNode verbose = c.expect("error");
        assertThat(verbose.path("code").asText()).isEqualTo("HANDLER_ERROR");
        assertThat(verbose.path("message").asText()).startsWith("upstream said: xxx").endsWith("...").hasSize(1_024);
        c.sendRaw("{\"type\":\"ping\",\"ref\":\"p\"}");
        assertThat(c.expect("pong").path("ref").asText()).as("still connected").isEqualTo("p");
        assertThatThrownBy(() -> new RouteException(ErrorCode.RATE_LIMITED, "x", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryAfterMs");
        assertThatThrownBy(() -> new RouteException(ErrorCode.FORBIDDEN, "x", 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryAfterMs");
    }

    @Test
    void aRoomPublishToAnInvalidTopicIsAnInvalidTopicAndTheAuthorizerIsNotAsked() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        open(Hub.builder().authorizer(new io.herald.spi.Authorizer() {
            @Override
            public boolean mayPublishToRoom(Principal principal, String room, String topic) {
                asked.incrementAndGet();
                return true;
            }
        }));
        TestClient c = TestClient.connect(hub);
        c.send("type", "join", "room", "r");
        c.expect("joined");
        c.sendRaw("{\"type\":\"publish\",\"ref\":\"p\",\"room\":\"r\",\"topic\":\"**\",\"data\":1}");
        JsonNode e = c.expect("error");
        assertThat(e.path("code").asText()).isEqualTo("INVALID_TOPIC");
        assertThat(asked).hasValue(0);
        c.sendRaw("{\"type\":\"publish\",\"ref\":\"q\",\"room\":\"r\",\"topic\":\"chat.msg\",\"data\":1}");
        assertThat(c.nextMatching(f -> f.path("type").asText().equals("published")).path("ref").asText())
                .isEqualTo("q");
        assertThat(asked).hasValue(1);
    }

    @Test
    void anErrorWithoutWordsIsSentWithItsCodeAsTheMessage() {
        open(Hub.builder().route("blank", r -> {
            throw new RouteException(ErrorCode.NOT_FOUND, " ");
        }).route("anonymous", r -> {
            throw new RuntimeException() { };
        }));
        TestClient c = TestClient.connect(hub);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"b\",\"route\":\"blank\",\"data\":1}");
        assertThat(c.expect("error").path("message").asText()).isEqualTo("NOT_FOUND");
        c.sendRaw("{\"type\":\"send\",\"ref\":\"a\",\"route\":\"anonymous\",\"data\":1}");
        assertThat(c.expect("error").path("message").asText()).isEqualTo("HANDLER_ERROR");
        assertThat(new ServerMessage.Error(null, ErrorCode.INTERNAL, null, 0).message()).isEqualTo("INTERNAL");
    }

    @Test
    void anAuthFrameRefusedWithoutAMessageIsToldItIsUnauthorized() {
        open(Hub.builder().authFrameDeadline(Duration.ofSeconds(30)).authenticator((token, h) -> {
            throw new AuthenticationException(null);
        }));
        TestClient c = TestClient.connect(hub);
        c.send("type", "auth", "ref", "a", "token", "any");
        JsonNode err = c.expect("error");
        assertThat(err.path("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(err.path("message").asText()).isEqualTo("unauthorized");
    }

    @Test
    void aRouteReplyLargerThanTheOutboundQueueIsAnsweredTooLargeAndTheClientStaysConnected() {
        open(Hub.builder().outboundQueue(16, 4_096).route("big", r -> "x".repeat(8_192)));
        TestClient c = TestClient.connect(hub);
        c.sendRaw("{\"type\":\"send\",\"ref\":\"s1\",\"route\":\"big\",\"data\":null}");

        JsonNode error = c.expect("error");
        assertThat(error.path("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(error.path("ref").asText()).isEqualTo("s1");
        assertThat(error.path("message").asText()).contains("4096 bytes");
        c.send("type", "ping", "ref", "after");
        assertThat(c.expect("pong").path("ref").asText()).isEqualTo("after");
        assertThat(c.transport().closed()).isNull();
        assertThat(hub.metrics().slowConsumerDisconnects()).isZero();
    }

    @Test
    void pingIsAnsweredWithServerTime() {
        open(Hub.builder());
        TestClient c = TestClient.connect(hub);
        c.send("type", "ping", "ref", "p");
        JsonNode pong = c.expect("pong");
        assertThat(pong.path("ref").asText()).isEqualTo("p");
        assertThat(pong.path("ts").asLong()).isPositive();
    }

    @Test
    void authFrameAuthenticatesWithinTheDeadlineAndNothingElseIsAllowedBefore() {
        open(Hub.builder().authFrameDeadline(Duration.ofSeconds(30)).authenticator((token, h) -> {
            if ("good".equals(token)) {
                return Principal.of("ann");
            }
            throw new AuthenticationException("bad token");
        }));
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "ref", "early", "topics", List.of("a"));
        JsonNode err = c.expect("error");
        assertThat(err.path("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(err.path("ref").asText()).isEqualTo("early");
        c.send("type", "auth", "ref", "a", "token", "good");
        JsonNode ok = c.expect("authenticated");
        assertThat(ok.path("user").asText()).isEqualTo("ann");
        assertThat(hub.admin().connectionsOf("ann")).hasSize(1);
        c.send("type", "subscribe", "topics", List.of("a"));
        c.expect("subscribed");
    }

    @Test
    void everyErrorCodeIsReachableAndCorrelated() {
        open(Hub.builder()
                .maxSubscriptionsPerConnection(2)
                .maxFrameBytes(1024)
                .inboundRate(RateLimit.of(1, 40))
                .route("fails", r -> {
                    throw new IllegalStateException("boom");
                })
                .authorizer(new Authorizer() {
                    @Override
                    public boolean maySubscribe(Principal p, String pattern) {
                        if (pattern.equals("explode")) {
                            throw new IllegalStateException("authorizer bug");
                        }
                        return true;
                    }
                }));
        TestClient c = TestClient.connect(hub);
        assertError(c, "not json", null, "BAD_REQUEST");
        assertError(c, "{\"type\":\"teleport\",\"ref\":\"1\"}", "1", "UNKNOWN_TYPE");
        assertError(c, "{\"type\":\"subscribe\",\"ref\":\"2\",\"topics\":[\"a..b\"]}", "2", "INVALID_TOPIC");
        assertError(c, "{\"type\":\"auth\",\"ref\":\"3\",\"token\":\"t\"}", "3", "BAD_REQUEST");
        assertError(c, "{\"type\":\"publish\",\"ref\":\"4\",\"topic\":\"a\",\"data\":1}", "4", "FORBIDDEN");
        assertError(c, "{\"type\":\"subscribe\",\"ref\":\"5\",\"topics\":[\"a\",\"b\",\"c\"]}", "5", "LIMIT_EXCEEDED");
        assertError(c, "{\"type\":\"send\",\"ref\":\"6\",\"route\":\"nope\",\"data\":1}", "6", "NOT_FOUND");
        assertError(c, "{\"type\":\"leave\",\"ref\":\"7\",\"room\":\"r\"}", "7", "NOT_FOUND");
        assertError(c, "{\"type\":\"ping\",\"ref\":\"8\",\"pad\":\"" + "x".repeat(2000) + "\"}", null, "TOO_LARGE");
        assertError(c, "{\"type\":\"send\",\"ref\":\"9\",\"route\":\"fails\",\"data\":1}", "9", "HANDLER_ERROR");
        assertError(c, "{\"type\":\"subscribe\",\"ref\":\"10\",\"topics\":[\"explode\"]}", "10", "INTERNAL");
        JsonNode limited = null;
        for (int i = 0; i < 100 && limited == null; i++) {
            c.send("type", "ping", "ref", "rl" + i);
            JsonNode f = c.next();
            if (f.path("type").asText().equals("error")) {
                limited = f;
            }
        }
        assertThat(limited).isNotNull();
        assertThat(limited.path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(limited.path("retryAfterMs").asLong()).isPositive();
        assertThat(limited.path("ref").asText()).startsWith("rl");
        assertThat(c.transport().closed()).isNull();
    }

    @Test
    void aFloodOfMalformedOrOversizedMessagesIsRateLimitedThenClosedForAbuse() {
        open(Hub.builder().inboundRate(RateLimit.of(1, 5)).abuseThreshold(10).maxFrameBytes(1024));
        TestClient c = TestClient.connect(hub);
        String oversized = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(2000) + "\"}";
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            c.sendRaw(i % 2 == 0 ? "{not json" : oversized);
            if (c.transport().closed() != null) {
                break;
            }
            codes.add(c.expect("error").path("code").asText());
        }
        assertThat(codes.subList(0, 5)).containsOnly("BAD_REQUEST", "TOO_LARGE");
        assertThat(codes).contains("RATE_LIMITED");
        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1008, "abuse"));
    }

    @Test
    void aFailedRequestChangesNothing() {
        open(Hub.builder().maxSubscriptionsPerConnection(3));
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("ok.one", "bad..one"));
        c.expect("error");
        c.send("type", "subscribe", "topics", List.of("ok.two", "ok.three", "ok.four", "ok.five"));
        c.expect("error");
        c.sendRaw("{\"type\":\"subscribe\",\"topics\":[\"ok.six\"],\"filter\":{\"x\":{\"near\":1}}}");
        c.expect("error");
        assertThat(hub.admin().connection(c.id()).orElseThrow().subscriptions()).isEmpty();
        assertThat(hub.metrics().subscriptions()).isZero();
        hub.publish("ok.one", 1);
        assertThat(c.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void exactSubscriptionToAForbiddenTopicIsRefusedAndWildcardsNeverDeliverIt() {
        open(Hub.builder().authorizer(new Authorizer() {
            @Override
            public boolean mayReceive(Principal p, String topic) {
                return !topic.startsWith("system.") || p.has("system:read");
            }
        }).authenticator((token, h) -> "admin".equals(token) ? Principal.of("root", "system:read")
                : Principal.anonymous()));
        TestClient anon = TestClient.connect(hub);
        TestClient admin = TestClient.connect(hub, Handshake.builder("127.0.0.1").query("token", "admin").build(),
                Framing.WEBSOCKET);
        anon.send("type", "subscribe", "topics", List.of("system.health"));
        assertThat(anon.expect("error").path("code").asText()).isEqualTo("FORBIDDEN");
        anon.send("type", "subscribe", "topics", List.of("**"));
        anon.expect("subscribed");
        admin.send("type", "subscribe", "topics", List.of("**"));
        admin.expect("subscribed");
        hub.publish("system.health", 1);
        hub.publish("task.created", 2);
        assertThat(admin.expect("event").path("topic").asText()).isEqualTo("system.health");
        assertThat(admin.expect("event").path("topic").asText()).isEqualTo("task.created");
        assertThat(anon.expect("event").path("topic").asText()).isEqualTo("task.created");
        assertThat(anon.poll(Duration.ofMillis(100))).isNull();
    }

    private static void assertError(TestClient c, String frame, String ref, String code) {
        c.sendRaw(frame);
        JsonNode e = c.expect("error");
        assertThat(e.path("code").asText()).as("code for %s", frame.length() > 80 ? frame.substring(0, 80) : frame)
                .isEqualTo(code);
        assertThat(e.path("message").asText()).isNotEmpty();
        if (ref == null) {
            assertThat(e.has("ref")).isFalse();
        } else {
            assertThat(e.path("ref").asText()).isEqualTo(ref);
        }
    }
}
