package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.spi.Admission;
import io.herald.spi.Authorizer;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.testing.HookedHistoryLog;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an SSE adapter relies on: opening with subscriptions and a resume point, control requests, HTTP publish. */
class SseGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Hub hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    private static Handshake client() {
        return Handshake.builder("127.0.0.1").build();
    }

    private static String next(RecordingTransport t) throws InterruptedException {
        String frame = t.frames().poll(10, TimeUnit.SECONDS);
        assertThat(frame).as("a frame within 10 s").isNotNull();
        return frame;
    }

    private static JsonNode data(String sseBlock) throws Exception {
        String line = sseBlock.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
        return JSON.readTree(line.substring(6));
    }

    /** An open stream, its {@code connected} frame read. */
    private record Stream(RecordingTransport transport, ConnectionHandle handle, String controlToken) {
        ServerMessage subscribe(Hub hub, String pattern, String since) {
            return hub.gateway().control(handle.connectionId(), controlToken,
                    new Request.Subscribe(null, List.of(pattern), null, since));
        }
    }

    private Stream stream(String pattern) throws Exception {
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of(pattern), null, null, List.of()));
        return new Stream(t, h, data(next(t)).path("controlToken").asText());
    }

    @Test
    void streamOpenedWithLastEventIdSaysRecoveredInConnectedThenReplaysThenGoesLive() throws Exception {
        hub = Hub.builder().build();
        String seen = hub.publish("task.created", Map.of("n", 1));
        String missed = hub.publish("task.assigned", Map.of("n", 2));
        hub.publish("other.thing", Map.of("n", 3));
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of("task.*"), null, seen, List.of()));

        String connected = next(t);
        assertThat(connected).startsWith("event: connected\n");
        JsonNode c = data(connected);
        assertThat(c.path("recovered").asBoolean()).isTrue();
        assertThat(c.path("controlToken").asText()).hasSizeGreaterThan(20);
        String replayed = next(t);
        assertThat(replayed).startsWith("id: " + missed + "\n").doesNotContain("event:");
        assertThat(data(replayed).path("topic").asText()).isEqualTo("task.assigned");
        String live = hub.publish("task.completed", Map.of("n", 4));
        assertThat(next(t)).startsWith("id: " + live + "\n");
    }

    @Test
    void dataAClientPublishesWithLineBreaksReachesStreamsOnOneDataLineAndSocketsCompact() throws Exception {
        hub = Hub.builder().authorizer(Authorizer.OPEN).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(client()), t, new InitialSubscription(List.of("notes.*"), null, null,
                List.of()));
        assertThat(next(t)).startsWith("event: connected\n");
        TestClient subscriber = TestClient.connect(hub);
        subscriber.send("type", "subscribe", "topics", List.of("notes.*"));
        subscriber.expect("subscribed");
        TestClient publisher = TestClient.connect(hub);
        String pretty = "{\"type\":\"publish\",\"topic\":\"notes.%s\","
                + "\"data\":{\n  \"text\" : \"two  words\",\r\n\t\"n\": [ 1.50 ]\n}}";
        publisher.sendRaw(pretty.formatted("a"));
        assertThat(publisher.handle().onText(pretty.formatted("b").getBytes(StandardCharsets.UTF_8))).isTrue();
        publisher.expect("published");
        publisher.expect("published");

        for (String topic : List.of("notes.a", "notes.b")) {
            String block = next(t);
            assertThat(block.lines().filter(l -> l.startsWith("data: "))).hasSize(1);
            assertThat(block).contains("\"data\":{\"text\":\"two  words\",\"n\":[1.50]}");
            assertThat(data(block).path("topic").asText()).isEqualTo(topic);
            assertThat(next(subscriber.transport())).startsWith("{\"type\":\"event\"")
                    .contains("\"topic\":\"" + topic + "\"", "\"data\":{\"text\":\"two  words\",\"n\":[1.50]}");
        }
        assertThat(subscriber.transport().frames()).isEmpty();
    }

    @Test
    void anInvalidOrForbiddenInitialSubscriptionOpensNothing() {
        hub = Hub.builder().authorizer(new Authorizer() {
            @Override
            public boolean mayJoin(Principal principal, String room) {
                return !room.equals("vip");
            }
        }).build();
        Admission a = hub.gateway().admit(client());
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        assertThatThrownBy(() -> hub.gateway().open(a, t, new InitialSubscription(List.of("ok", "bad..topic"), null,
                null, List.of()))).isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC));
        assertThatThrownBy(() -> hub.gateway().open(a, t, new InitialSubscription(List.of("ok"),
                JSON.valueToTree(Map.of("x", Map.of("near", 1))), null, List.of())))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> hub.gateway().open(a, t, new InitialSubscription(List.of(), null, null,
                List.of("vip")))).isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(hub.admin().connectionCount()).isZero();
        assertThat(t.frames()).isEmpty();
    }

    @Test
    void aStreamJoinsEveryRoomItAskedForHoweverSmallTheInboundBurst() throws Exception {
        hub = Hub.builder().inboundRate(RateLimit.of(0.01, 1)).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of(), null, null, List.of("a", "b", "c")));

        assertThat(hub.admin().connection(h.connectionId()).orElseThrow().rooms()).containsExactlyInAnyOrder("a",
                "b", "c");
        assertThat(next(t)).contains("event: connected");
        assertThat(t.frames()).as("no join refused").noneMatch(f -> f.contains("event: error"));
    }

    @Test
    void aStreamGetsEachRoomsMemberListAsANamedJoinedEventWithoutAnIdRightAfterConnected() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport first = new RecordingTransport(Framing.SSE);
        ConnectionHandle a = hub.gateway().open(hub.gateway().admit(client()), first,
                new InitialSubscription(List.of(), null, null, List.of("lobby")));
        assertThat(next(first)).startsWith("event: connected\n");
        String alone = next(first);
        assertThat(alone).startsWith("event: joined\n").doesNotContain("id:");
        assertThat(data(alone).path("room").asText()).isEqualTo("lobby");
        assertThat(data(alone).path("members").findValuesAsText("connectionId")).containsExactly(a.connectionId());

        RecordingTransport second = new RecordingTransport(Framing.SSE);
        ConnectionHandle b = hub.gateway().open(hub.gateway().admit(client()), second,
                new InitialSubscription(List.of(), null, null, List.of("lobby", "side")));
        assertThat(next(second)).startsWith("event: connected\n");
        JsonNode lobby = data(next(second));
        assertThat(lobby.path("type").asText()).isEqualTo("joined");
        assertThat(lobby.path("room").asText()).isEqualTo("lobby");
        assertThat(lobby.has("ref")).isFalse();
        assertThat(lobby.path("members").findValuesAsText("connectionId"))
                .containsExactlyInAnyOrder(a.connectionId(), b.connectionId());
        JsonNode side = data(next(second));
        assertThat(side.path("room").asText()).isEqualTo("side");
        assertThat(side.path("members").findValuesAsText("connectionId")).containsExactly(b.connectionId());
        assertThat(next(first)).as("the first stream is told by presence, not joined").startsWith("event: presence\n");
    }

    @Test
    void aRoomInTheUrlWhoseMemberListTheStreamCouldNeverHoldIsRefusedWithAnErrorEventNamingTheRoom()
            throws Exception {
        hub = Hub.builder().outboundQueue(1_000, 8_192).maxFrameBytes(4_096).maxConnections(0, 0, 0)
                .handshakeRate(RateLimit.UNLIMITED).build();
        // members with about 260 bytes of meta until one more would not fit in 8 KiB, then members without
        // meta (about 30 bytes each, like a stream's) until one more of those would not fit either
        List<TestClient> members = new ArrayList<>();
        for (boolean withMeta : new boolean[] {true, false}) {
            boolean full = false;
            for (int i = 0; i < 60 && !full; i++) {
                TestClient c = TestClient.connect(hub);
                if (withMeta) {
                    c.send("type", "join", "room", "big", "meta", Map.of("bio", "m".repeat(200)));
                } else {
                    c.send("type", "join", "room", "big");
                }
                JsonNode answer = c.next();
                full = answer.path("code").asText().equals("TOO_LARGE");
                if (!full) {
                    assertThat(answer.path("type").asText()).isEqualTo("joined");
                    members.add(c);
                }
            }
            assertThat(full).as("the member list outgrew a queue").isTrue();
        }
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of(), null, null, List.of("small", "big")));

        assertThat(next(t)).startsWith("event: connected\n");
        assertThat(data(next(t)).path("room").asText()).as("the room it could join").isEqualTo("small");
        String refusal = next(t);
        assertThat(refusal).startsWith("event: error\n").doesNotContain("id:");
        JsonNode error = data(refusal);
        assertThat(error.path("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(error.path("room").asText()).as("names the room, having no ref").isEqualTo("big");
        assertThat(error.has("ref")).isFalse();
        assertThat(error.has("closeCode")).as("the stream stays open").isFalse();
        assertThat(hub.admin().connection(h.connectionId()).orElseThrow().rooms()).containsExactly("small");
        assertThat(hub.admin().members("big")).hasSize(members.size());
    }

    @Test
    void controlRequestsNeedTheStreamsTokenAndReturnTheirAnswerToTheCaller() throws Exception {
        hub = Hub.builder().build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of(), null, null, List.of("lobby")));
        String token = data(next(t)).path("controlToken").asText();
        assertThat(next(t)).startsWith("event: joined\n");

        ServerMessage ok = hub.gateway().control(h.connectionId(), token,
                new Request.Subscribe("r1", List.of("news.*"), null, null));
        assertThat(ok).isEqualTo(new ServerMessage.Subscribed("r1", List.of("news.*"), null));
        assertThat(hub.admin().connection(h.connectionId()).orElseThrow().rooms()).containsExactly("lobby");
        String id = hub.publish("news.today", "hello");
        assertThat(next(t)).startsWith("id: " + id + "\n");

        assertThat(hub.gateway().control(h.connectionId(), "forged", new Request.Unsubscribe(null, List.of("news.*"))))
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(hub.gateway().control("nobody", token, new Request.Unsubscribe(null, List.of("news.*"))))
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(hub.gateway().control(h.connectionId(), token, new Request.Subscribe(null, List.of("a..b"), null,
                null))).isInstanceOfSatisfying(ServerMessage.Error.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC));
        assertThat(hub.gateway().control(h.connectionId(), token, new Request.Unsubscribe("u", List.of("news.*"))))
                .isEqualTo(new ServerMessage.Unsubscribed("u", List.of("news.*")));
        assertThat(t.frames()).as("answers travel to the caller, not down the stream").isEmpty();
    }

    @Test
    void aControlResumeWhoseHeldEventsOverflowEndsTheStreamAndIsAnsweredNotFoundNotRecovered() throws Exception {
        HookedHistoryLog log = new HookedHistoryLog();
        hub = Hub.builder().historyLog(log).outboundQueue(4, 1L << 20).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of("live"), null, null, List.of()));
        String token = data(next(t)).path("controlToken").asText();
        String since = hub.publish("news", 0);
        log.duringNextRead(() -> {
            for (int i = 0; i < 10; i++) {
                hub.publish("live", i);
            }
        });

        ServerMessage answer = hub.gateway().control(h.connectionId(), token,
                new Request.Subscribe("r", List.of("news"), null, since));

        assertThat(answer).as("more live events came during the replay than the stream may hold")
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.message()).contains("closed");
                });
        assertThat(hub.admin().connection(h.connectionId())).isEmpty();
    }

    @Test
    void controlRequestsDuringAShutdownAreRefusedInternalWithARetryDelayAndCountAsNoAttempt() throws Exception {
        hub = Hub.builder().handshakeRate(RateLimit.of(0.01, 2)).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        Handshake caller = Handshake.builder("10.0.0.1").build();
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(caller), t,
                new InitialSubscription(List.of("a"), null, null, List.of()));
        String token = data(next(t)).path("controlToken").asText();
        hub.close(Duration.ofSeconds(1));

        for (int i = 0; i < 5; i++) {
            String ref = "u" + i;
            assertThat(hub.gateway().control(caller, h.connectionId(), token, new Request.Unsubscribe(ref,
                    List.of("a")))).as("request %d, more than the address's two attempts", i)
                    .isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                        assertThat(e.message()).contains("shutting down");
                        assertThat(e.retryAfterMs()).isPositive();
                        assertThat(e.ref()).isEqualTo(ref);
                    });
        }
        assertThat(hub.gateway().control(h.connectionId(), token, new Request.Unsubscribe("v", List.of("a"))))
                .isInstanceOfSatisfying(ServerMessage.Error.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
    }

    @Test
    void refusedControlRequestsCountAsAttemptsOfTheAddressUntilEvenTheRightTokenIsAnswered429() throws Exception {
        hub = Hub.builder().handshakeRate(RateLimit.of(0.01, 2)).build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(Handshake.builder("10.0.0.1").build()), t,
                new InitialSubscription(List.of("a"), null, null, List.of()));
        String token = data(next(t)).path("controlToken").asText();
        Handshake guesser = Handshake.builder("10.0.0.2").build();
        Request unsubscribe = new Request.Unsubscribe("u", List.of("a"));

        assertThat(hub.gateway().control(guesser, h.connectionId(), "guess-1", unsubscribe))
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(hub.gateway().control(guesser, "nobody", "guess-2", unsubscribe))
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(hub.gateway().control(guesser, h.connectionId(), token, unsubscribe))
                .as("out of attempts, the token is not judged: a right guess is answered like a wrong one")
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.ref()).isEqualTo("u");
                    assertThat(e.retryAfterMs()).isPositive();
                });
        assertThat(hub.admin().connection(h.connectionId()).orElseThrow().subscriptions()).containsExactly("a");
        assertThat(hub.gateway().admit(guesser).httpStatus()).as("a connection attempt too").isEqualTo(429);

        assertThat(hub.gateway().control(Handshake.builder("10.0.0.1").build(), h.connectionId(), token, unsubscribe))
                .as("the owner's address still has its attempts")
                .isEqualTo(new ServerMessage.Unsubscribed("u", List.of("a")));
    }

    @Test
    void controlRequestsFromAnOriginTheHubDoesNotAllowAreRefused() throws Exception {
        hub = Hub.builder().allowedOrigins("https://app.example.com").build();
        RecordingTransport t = new RecordingTransport(Framing.SSE);
        ConnectionHandle h = hub.gateway().open(hub.gateway().admit(client()), t,
                new InitialSubscription(List.of("a"), null, null, List.of()));
        String token = data(next(t)).path("controlToken").asText();
        Request subscribe = new Request.Subscribe(null, List.of("b"), null, null);

        assertThat(hub.gateway().control(Handshake.builder("127.0.0.1").header("Origin", "https://evil.example").build(),
                h.connectionId(), token, subscribe)).isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.message()).contains("https://evil.example");
                });
        assertThat(hub.admin().connection(h.connectionId()).orElseThrow().subscriptions()).containsExactly("a");
        assertThat(hub.gateway().control(Handshake.builder("127.0.0.1").header("Origin", "https://app.example.com")
                .build(), h.connectionId(), token, subscribe)).isInstanceOf(ServerMessage.Subscribed.class);
    }

    @Test
    void anHttpPublishAdmittedBeforeAShutdownWhoseBodyArrivesDuringItIsRefusedWithARetryDelay() {
        hub = Hub.builder().build();
        Admission a = hub.gateway().admit(client());
        hub.close(Duration.ofSeconds(1));

        assertThat(hub.gateway().publish(a, TestClient.publishBody("a.x", "{\"k\":1}")))
                .isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(e.message()).contains("shutting down");
                    assertThat(e.retryAfterMs()).isPositive();
                });
    }

    @Test
    void httpPublishIsAuthorizedAndRateLimitedLikeAClientPublish() {
        hub = Hub.builder().publishRate(RateLimit.of(1, 2)).authorizer(new Authorizer() {
            @Override
            public boolean mayPublish(Principal p, String topic) {
                return topic.startsWith("open.");
            }
        }).build();
        Admission a = hub.gateway().admit(client());
        assertThat(hub.gateway().publish(a, TestClient.publishBody("open.x", "{\"k\":1}"))).isInstanceOf(ServerMessage.Published.class);
        assertThat(hub.gateway().publish(a, TestClient.publishBody("closed.x", "{\"k\":1}"))).isInstanceOfSatisfying(ServerMessage.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(hub.gateway().publish(a, TestClient.publishBody("bad..x", "{\"k\":1}"))).isInstanceOfSatisfying(ServerMessage.Error.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC));
        assertThat(hub.gateway().publish(a, TestClient.publishBody("open.y", "{\"k\":1}"))).isInstanceOf(ServerMessage.Published.class);
        assertThat(hub.gateway().publish(a, TestClient.publishBody("open.z", "{\"k\":1}"))).isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.retryAfterMs()).isPositive();
        });
    }

    @Test
    void httpPublishRelaysDataAsTheCallerWroteItLiveAndOnReplay() throws Exception {
        hub = Hub.builder().authorizer(new Authorizer() {
            @Override
            public boolean mayPublish(Principal p, String topic) {
                return true;
            }
        }).build();
        RecordingTransport live = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(client()), live,
                new InitialSubscription(List.of("n.*"), null, null, List.of()));
        next(live);
        String before = hub.publish("n.before", 0);

        String body = "{ \"topic\" : \"n.x\", \"data\" : { \"big\" : 1e400, \"d\" : 1.50, \"s\" : \"\\u00e9 x\" } }";
        ServerMessage answer = hub.gateway().publish(hub.gateway().admit(client()),
                body.getBytes(StandardCharsets.UTF_8));

        assertThat(answer).isInstanceOf(ServerMessage.Published.class);
        String asWritten = "\"data\":{\"big\":1e400,\"d\":1.50,\"s\":\"\\u00e9 x\"}";
        next(live);
        assertThat(next(live)).contains(asWritten);
        RecordingTransport resumed = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(client()), resumed,
                new InitialSubscription(List.of("n.*"), null, before, List.of()));
        next(resumed);
        assertThat(next(resumed)).as("replayed from the history").contains(asWritten);
    }

    @Test
    void httpPublishBodiesThatAreNoPublishAreRefusedNamingTheProblem() {
        hub = Hub.builder().build();
        Admission a = hub.gateway().admit(client());
        Map<String, String> refused = Map.of(
                "{\"topic\":\"n.x\"", "not valid JSON",
                "[1,2]", "must be a JSON object",
                "{\"data\":1}", "field 'topic' is missing",
                "{\"topic\":7,\"data\":1}", "field 'topic' must be a string",
                "{\"topic\":\"n.x\"}", "field 'data' is missing",
                "{\"topic\":\"n.x\",\"data\":1} x", "content after the JSON object",
                "{\"topic\":\"n.x\",\"data\":{\"a\":1,\"a\":2}}", "Duplicate field 'a'");
        refused.forEach((body, problem) -> assertThat(hub.gateway().publish(a, body.getBytes(StandardCharsets.UTF_8)))
                .as(body).isInstanceOfSatisfying(ServerMessage.Error.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.message()).contains(problem);
                }));
        assertThat(hub.gateway().publish(a, new byte[] {'{', '"', 't', (byte) 0xC0, (byte) 0xAF, '"', '}'}))
                .isInstanceOfSatisfying(ServerMessage.Error.class,
                        e -> assertThat(e.message()).isEqualTo("message is not valid UTF-8"));
        assertThat(hub.admin().connectionCount()).isZero();
    }
    @Test
    void anHttpPublishRefusedAsTooLargeSpendsNoPublishToken() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        hub = Hub.builder().maxFrameBytes(100).publishRate(RateLimit.of(0.001, 1)).authorizer(new Authorizer() {
            @Override
            public boolean mayPublish(Principal p, String topic) {
                asked.incrementAndGet();
                return true;
            }
        }).build();
        Admission a = hub.gateway().admit(client());
        String tooLarge = "{\"topic\":\"n.x\",\"data\":\"" + "x".repeat(200) + "\"}";

        assertThat(hub.gateway().publish(a, tooLarge.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ServerMessage.Error.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThat(asked).as("the authorizer was not asked").hasValue(0);

        assertThat(hub.gateway().publish(a, "{\"topic\":\"n.x\",\"data\":1}".getBytes(StandardCharsets.UTF_8)))
                .as("the only token of the burst is still there").isInstanceOf(ServerMessage.Published.class);
    }

    @Test
    void aLaterReplayOnAStreamFollowsEachOlderEventWithTheIdTheStreamHadReached() throws Exception {
        hub = Hub.builder().build();
        String before = hub.publish("z.start", 0);
        String b = hub.publish("b.old", 1);
        Stream s = stream("a.*");
        RecordingTransport t = s.transport();
        String a = hub.publish("a.new", 2);
        assertThat(next(t)).startsWith("id: " + a + "\n");

        assertThat(s.subscribe(hub, "b.*", before)).isInstanceOf(ServerMessage.Subscribed.class);

        String replayed = next(t);
        assertThat(replayed).as("the replayed event, then an id-only block: the browser's last id is back on the "
                + "newest it had").startsWith("id: " + b + "\n").endsWith("\n\nid: " + a + "\n\n");
        assertThat(t.frames().poll(200, TimeUnit.MILLISECONDS)).as("no cursor after it: the id is the newest")
                .isNull();
        RecordingTransport resumed = new RecordingTransport(Framing.SSE);
        hub.gateway().open(hub.gateway().admit(client()), resumed,
                new InitialSubscription(List.of("a.*", "b.*"), null, a, List.of()));
        assertThat(data(next(resumed)).path("recovered").asBoolean()).isTrue();
        assertThat(resumed.frames().poll(200, TimeUnit.MILLISECONDS)).as("nothing delivered twice").isNull();
    }

    @Test
    void wheneverAStreamEndsDuringALaterReplayTheBrowsersResumeBringsNoEventTwiceAndMissesNone() throws Exception {
        hub = Hub.builder().build();
        String start = hub.publish("z.start", 0);
        String b1 = hub.publish("b.x", 1);
        Stream s = stream("a.*");
        RecordingTransport t = s.transport();
        List<String> urlEvents = new ArrayList<>();
        urlEvents.add(hub.publish("a.x", 1));
        String b2 = hub.publish("b.x", 2);
        urlEvents.add(hub.publish("a.x", 2));
        List<String> stream = new ArrayList<>();
        stream.add(next(t));
        stream.add(next(t));
        assertThat(s.subscribe(hub, "b.*", start)).isInstanceOf(ServerMessage.Subscribed.class);
        stream.add(next(t));
        stream.add(next(t));
        assertThat(stream.get(2)).startsWith("id: " + b1 + "\n");
        assertThat(stream.get(3)).startsWith("id: " + b2 + "\n");
        urlEvents.add(hub.publish("a.x", 3));
        stream.add(next(t));

        // the stream may end after any frame: the browser reconnects to its URL with the last id it read
        for (int cut = 1; cut <= stream.size(); cut++) {
            List<String> read = stream.subList(0, cut);
            String lastId = null;
            List<String> got = new ArrayList<>();
            for (String frame : read) {
                for (String line : frame.split("\n")) {
                    if (line.startsWith("id: ")) {
                        lastId = line.substring(4);
                    } else if (line.startsWith("data: ")) {
                        got.add(JSON.readTree(line.substring(6)).path("id").asText());
                    }
                }
            }
            RecordingTransport again = new RecordingTransport(Framing.SSE);
            hub.gateway().open(hub.gateway().admit(client()), again,
                    new InitialSubscription(List.of("a.*"), null, lastId, List.of()));
            assertThat(data(next(again)).path("recovered").asBoolean()).isTrue();
            for (String frame = again.frames().poll(200, TimeUnit.MILLISECONDS); frame != null;
                    frame = again.frames().poll(200, TimeUnit.MILLISECONDS)) {
                got.add(data(frame).path("id").asText());
            }
            assertThat(got.stream().filter(urlEvents::contains).toList())
                    .as("the URL's events after a cut after frame %d (browser at %s)", cut, lastId)
                    .containsExactlyElementsOf(urlEvents);
        }
    }
}
