package io.herald.transport.sse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Principal;
import io.herald.RateLimit;
import io.herald.spi.AuthenticationException;
import io.herald.spi.Authorizer;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The SSE endpoints' HTTP contract: headers, the stream's first lines, every status of the stream, control
 * and publish endpoints, and CORS. Subclassed once per container.
 */
public abstract class SseEndpointsContract extends SseContractSupport {
    private static final Authorizer RESTRICTED = new Authorizer() {
        @Override
        public boolean mayJoin(Principal principal, String room) {
            return !room.equals("vip");
        }

        @Override
        public boolean mayPublish(Principal principal, String topic) {
            return !topic.startsWith("secret.");
        }
    };

    @Test
    void aStreamStartsWithItsHeadersARetryLineAndAConnectedEventCarryingAControlToken() throws Exception {
        serve(b -> b);
        SseClient c = open("topics=task.*", Map.of());
        assertThat(c.status()).isEqualTo(200);
        assertThat(c.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(c.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(c.headers().firstValue("X-Accel-Buffering")).contains("no");
        SseClient.Event connected = c.next();
        assertThat(connected.event()).isEqualTo("connected");
        assertThat(connected.json().path("type").asText()).isEqualTo("connected");
        assertThat(connected.json().path("controlToken").asText()).hasSizeGreaterThan(20);
        assertThat(c.firstLines().get(0)).isEqualTo("retry: 1500");
        assertThat(c.firstLines().get(1)).isEmpty();
        assertThat(c.firstLines().get(2)).isEqualTo("event: connected");
    }

    @Test
    void eventsCarryTheirIdAndNoEventLineWhilePresenceIsANamedEvent() throws Exception {
        serve(b -> b);
        Opened a = connect("topics=task.*&rooms=lobby");
        assertThat(a.client().next().event()).isEqualTo("joined");
        String id = hub.publish("task.created", Map.of("n", 1));
        SseClient.Event e = a.client().next();
        assertThat(e.id()).isEqualTo(id);
        assertThat(e.event()).isNull();
        assertThat(e.json().path("topic").asText()).isEqualTo("task.created");
        assertThat(e.json().path("data").path("n").asInt()).isEqualTo(1);

        Opened b = connect("rooms=lobby");
        SseClient.Event presence = a.client().next();
        assertThat(presence.event()).isEqualTo("presence");
        assertThat(presence.id()).isNull();
        assertThat(presence.json().path("action").asText()).isEqualTo("join");
        assertThat(presence.json().path("member").path("connectionId").asText()).isEqualTo(b.id());
    }

    @Test
    void aStreamJoiningARoomGetsItsMemberListAsAJoinedEventAfterConnectedAndBeforeAnyPresence() throws Exception {
        serve(b -> b);
        Opened first = connect("rooms=lobby");
        SseClient.Event alone = next(first.client());
        assertThat(alone.event()).isEqualTo("joined");
        assertThat(alone.json().path("members").findValuesAsText("connectionId")).containsExactly(first.id());

        Opened second = connect("topics=t&rooms=lobby");
        SseClient.Event joined = next(second.client());
        assertThat(joined.event()).isEqualTo("joined");
        assertThat(joined.id()).as("no id: Last-Event-ID stays the last event's").isNull();
        assertThat(joined.json().path("type").asText()).isEqualTo("joined");
        assertThat(joined.json().path("room").asText()).isEqualTo("lobby");
        assertThat(joined.json().path("members").findValuesAsText("connectionId"))
                .containsExactlyInAnyOrder(first.id(), second.id());
        assertThat(next(first.client()).event()).isEqualTo("presence");

        Opened third = connect("rooms=lobby");
        assertThat(next(third.client()).event()).isEqualTo("joined");
        SseClient.Event told = next(second.client());
        assertThat(told.event()).as("after its joined, the second stream hears of the third").isEqualTo("presence");
        assertThat(told.json().path("member").path("connectionId").asText()).isEqualTo(third.id());
        String id = hub.publish("t", 1);
        assertThat(next(second.client()).id()).isEqualTo(id);
    }

    @Test
    void invalidOrForbiddenStreamRequestsAreAnsweredWithStatusAndJsonError() throws Exception {
        serve(b -> b.authorizer(RESTRICTED));
        SseClient badTopic = open("topics=a..b", Map.of());
        assertThat(badTopic.status()).isEqualTo(400);
        assertThat(badTopic.json().path("code").asText()).isEqualTo("INVALID_TOPIC");
        assertThat(badTopic.json().path("message").asText()).isNotEmpty();
        SseClient badFilter = open("topics=a&filter=" + URLEncoder.encode("{nope", StandardCharsets.UTF_8), Map.of());
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.json().path("message").asText()).contains("filter");
        SseClient trailing = open("topics=a&filter=" + URLEncoder.encode("{\"p\":\"x\"}}}garbage",
                StandardCharsets.UTF_8), Map.of());
        assertThat(trailing.status()).isEqualTo(400);
        assertThat(trailing.json().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(trailing.json().path("message").asText()).startsWith("filter")
                .contains("content after the JSON value").doesNotContain("Source");
        for (String badBatch : List.of("abc", "-5")) {
            SseClient refused = open("topics=a&batch=" + badBatch, Map.of());
            assertThat(refused.status()).as("batch=%s", badBatch).isEqualTo(400);
            assertThat(refused.json().path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(refused.json().path("message").asText()).contains("'batch'", badBatch);
        }
        SseClient forbidden = open("rooms=vip", Map.of());
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().path("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void aStreamAskingToJoinAFullRoomIsRefusedWith429BeforeItStarts() throws Exception {
        serve(b -> b.maxMembersPerRoom(1));
        connect("rooms=lobby");
        SseClient full = open("topics=a&rooms=lobby", Map.of());
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.json().path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(full.json().path("message").asText()).contains("lobby").contains("full");
        assertThat(hub.admin().connectionCount()).isEqualTo(1);
        assertThat(hub.admin().members("lobby")).hasSize(1);
    }

    @Test
    void aStreamThatFailsToOpenIsAnswered500WithAJsonErrorAndHoldsNothing() throws Exception {
        serve(b -> b.authorizer(new Authorizer() {
            @Override
            public boolean maySubscribe(Principal principal, String pattern) {
                throw new IllegalStateException("the authorizer's store is down");
            }
        }));
        SseClient failed = open("topics=a", Map.of());
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.json().path("code").asText()).isEqualTo("INTERNAL");
        assertThat(failed.json().path("message").asText()).doesNotContain("store");
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void refusedHandshakesGetTheirStatusAndRetryAfter() throws Exception {
        serve(b -> b.authenticator((token, handshake) -> {
            if (!"good".equals(token)) {
                throw new AuthenticationException("a good token is required");
            }
            return Principal.of("alice");
        }).handshakeRate(RateLimit.of(0.01, 3)).maxConnections(1, 0, 0));
        SseClient anonymous = open("topics=a", Map.of());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(anonymous.json().path("code").asText()).isEqualTo("UNAUTHORIZED");

        connect("topics=a&token=good");
        SseClient overCapacity = open("topics=a", Map.of("Authorization", "Bearer good"));
        assertThat(overCapacity.status()).isEqualTo(503);
        assertThat(overCapacity.headers().firstValue("Retry-After")).isPresent();
        assertThat(overCapacity.json().path("code").asText()).isEqualTo("LIMIT_EXCEEDED");

        SseClient tooOften = open("topics=a&token=good", Map.of());
        assertThat(tooOften.status()).isEqualTo(429);
        assertThat(Long.parseLong(tooOften.headers().firstValue("Retry-After").orElseThrow())).isPositive();
    }

    @Test
    void aCookieAuthenticatedStreamThatAnotherSiteOpensWithoutAnOriginIsRefused() throws Exception {
        serve(b -> b.allowedOrigins(ALLOWED_ORIGIN).tokenCookie("session").authorizer(Authorizer.OPEN)
                .authenticator((token, handshake) -> {
                    if (!"alice-session".equals(token)) {
                        throw new AuthenticationException("a session is required");
                    }
                    return Principal.of("alice");
                }));
        // what a browser sends for a link or an <img> on another site: the user's cookie, no Origin
        SseClient navigation = open("rooms=lobby", Map.of("Cookie", "session=alice-session",
                "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"));
        assertThat(navigation.status()).isEqualTo(403);
        assertThat(navigation.json().path("message").asText()).contains("Sec-Fetch-Site");
        assertThat(hub.admin().members("lobby")).isEmpty();
        // the same from a sibling subdomain, which is the same site (and gets even SameSite=Strict cookies)
        assertThat(open("rooms=lobby", Map.of("Cookie", "session=alice-session", "Sec-Fetch-Site", "same-site"))
                .status()).isEqualTo(403);
        assertThat(hub.admin().connectionCount()).isZero();

        // the application's own page, and its allowed origin, still open the same stream
        SseClient page = open("rooms=lobby", Map.of("Cookie", "session=alice-session",
                "Sec-Fetch-Site", "same-origin"));
        assertThat(page.status()).isEqualTo(200);
        SseClient allowed = open("rooms=lobby", Map.of("Cookie", "session=alice-session",
                "Sec-Fetch-Site", "cross-site", "Origin", ALLOWED_ORIGIN));
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(hub.admin().connectionCount()).isEqualTo(2);
    }

    @Test
    void withAuthFramesEnabledForWebSocketsAStreamOrPublishWithoutCredentialsIsStillRefused() throws Exception {
        serve(b -> b.authFrameDeadline(Duration.ofSeconds(30)).authorizer(Authorizer.OPEN)
                .authenticator((token, handshake) -> {
                    if (!"good".equals(token)) {
                        throw new AuthenticationException("a good token is required");
                    }
                    return Principal.of("alice");
                }));
        String before = hub.publish("t", "missed");
        SseClient anonymous = open("topics=t", Map.of("Last-Event-ID", before));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(anonymous.json().path("code").asText()).isEqualTo("UNAUTHORIZED");
        HttpResponse<String> publish = post("/publish", Map.of("topic", "t", "data", "forged"));
        assertThat(publish.statusCode()).isEqualTo(401);
        assertThat(json(publish).path("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(hub.admin().connectionCount()).isZero();

        Opened alice = connect("topics=t&token=good");
        String id = hub.publish("t", "live");
        assertThat(alice.client().next().id()).isEqualTo(id);
    }

    @Test
    void controlRequestsChangeALiveStreamAndAnswerWrongTokensAndUnknownStreams() throws Exception {
        serve(b -> b);
        Opened s = connect("");
        HttpResponse<String> ok = post("/subscribe", Map.of("connectionId", s.id(), "controlToken", s.token(),
                "topics", List.of("news.*")));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).path("topics").get(0).asText()).isEqualTo("news.*");
        String id = hub.publish("news.today", "hello");
        assertThat(s.client().next().id()).isEqualTo(id);

        assertThat(post("/subscribe", Map.of("connectionId", s.id(), "controlToken", "forged",
                "topics", List.of("x"))).statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = post("/unsubscribe", Map.of("connectionId", "nobody",
                "controlToken", s.token(), "topics", List.of("x")));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("code").asText()).isEqualTo("NOT_FOUND");
        HttpResponse<String> invalid = post("/subscribe", Map.of("connectionId", s.id(), "controlToken", s.token(),
                "topics", List.of("a..b")));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).path("code").asText()).isEqualTo("INVALID_TOPIC");
        HttpResponse<String> notJson = post("/subscribe", "{\"connectionId\":", Map.of());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).path("message").asText()).contains("JSON").doesNotContain("Source");
        HttpResponse<String> twoObjects = post("/subscribe", "{\"connectionId\":\"" + s.id() + "\",\"controlToken\":\""
                + s.token() + "\",\"topics\":[\"more.*\"]}{\"x\":1}", Map.of());
        assertThat(twoObjects.statusCode()).isEqualTo(400);
        assertThat(json(twoObjects).path("message").asText()).contains("content after the JSON value");
        HttpResponse<String> noTopics = post("/subscribe", Map.of("connectionId", s.id(), "controlToken", s.token()));
        assertThat(json(noTopics).path("message").asText()).contains("topics");

        HttpResponse<String> gone = post("/unsubscribe", Map.of("connectionId", s.id(), "controlToken", s.token(),
                "topics", List.of("news.*")));
        assertThat(gone.statusCode()).isEqualTo(200);
        assertThat(json(gone).path("type").asText()).isEqualTo("unsubscribed");
    }

    @Test
    void controlRequestsWithAWrongTokenAreConnectionAttemptsAndOutOfAttemptsAreAnswered429() throws Exception {
        serve(b -> b.handshakeRate(RateLimit.of(0.01, 3)));
        Opened s = connect("topics=a");
        assertThat(post("/subscribe", Map.of("connectionId", s.id(), "controlToken", "guess-1",
                "topics", List.of("b"))).statusCode()).isEqualTo(403);
        assertThat(post("/subscribe", Map.of("connectionId", "nobody", "controlToken", "guess-2",
                "topics", List.of("b"))).statusCode()).isEqualTo(404);

        HttpResponse<String> tooMany = post("/subscribe", Map.of("connectionId", s.id(), "controlToken", s.token(),
                "topics", List.of("b")));
        assertThat(tooMany.statusCode()).as("the stream and two guesses used the three attempts").isEqualTo(429);
        assertThat(tooMany.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(tooMany).path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(hub.admin().connection(s.id()).orElseThrow().subscriptions()).containsExactly("a");
    }

    @Test
    void publishAnswers202WithTheIdOrTheStatusOfItsError() throws Exception {
        serve(b -> b.authorizer(RESTRICTED).publishRate(RateLimit.of(0.01, 2)));
        Opened s = connect("topics=open.*");
        HttpResponse<String> ok = post("/publish", Map.of("topic", "open.x", "data", Map.of("k", 1)));
        assertThat(ok.statusCode()).isEqualTo(202);
        String id = json(ok).path("id").asText();
        assertThat(s.client().next().id()).isEqualTo(id);

        assertThat(post("/publish", Map.of("topic", "secret.x", "data", 1)).statusCode()).isEqualTo(403);
        assertThat(post("/publish", "[1,2]", Map.of()).statusCode()).isEqualTo(400);
        assertThat(post("/publish", "{}", Map.of("Content-Type", "text/plain")).statusCode()).isEqualTo(415);
        assertThat(post("/publish", "{\"topic\":\"open.x\",\"data\":\"" + "x".repeat(5000) + "\"}", Map.of())
                .statusCode()).isEqualTo(413);
        byte[] chunked = ("{\"topic\":\"open.x\",\"data\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> unannounced = SseClient.HTTP.send(HttpRequest.newBuilder(stream("").resolve(BASE + "/publish"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(chunked))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unannounced.statusCode()).as("a chunked body over the limit").isEqualTo(413);
        assertThat(post("/publish", Map.of("topic", "open.y", "data", 2)).statusCode()).isEqualTo(202);
        HttpResponse<String> limited = post("/publish", Map.of("topic", "open.z", "data", 3));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(limited).path("retryAfterMs").asLong()).isPositive();
        assertThat(post("/nothing", Map.of("topic", "a", "data", 1)).statusCode()).isEqualTo(404);
    }

    @Test
    void publishesAreNotConnectionAttemptsButRefusedCredentialsAre() throws Exception {
        serve(b -> b.authorizer(Authorizer.OPEN).handshakeRate(RateLimit.of(0.01, 3))
                .publishRate(RateLimit.of(1_000, 1_000)).authenticator((token, handshake) -> {
                    if (!"good".equals(token)) {
                        throw new AuthenticationException("a good token is required");
                    }
                    return Principal.of("svc");
                }));
        String body = "{\"topic\":\"t\",\"data\":1}";
        for (int i = 0; i < 10; i++) {
            assertThat(post("/publish", body, Map.of("Authorization", "Bearer good")).statusCode())
                    .as("publish %d", i).isEqualTo(202);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(post("/publish", body, Map.of("Authorization", "Bearer guess" + i)).statusCode())
                    .as("guess %d", i).isEqualTo(401);
        }
        HttpResponse<String> tooMany = post("/publish", body, Map.of("Authorization", "Bearer guess3"));
        assertThat(tooMany.statusCode()).isEqualTo(429);
        assertThat(tooMany.headers().firstValue("Retry-After")).isPresent();
        assertThat(post("/publish", body, Map.of("Authorization", "Bearer good")).statusCode())
                .as("out of attempts, credentials are not judged: a right guess looks like a wrong one")
                .isEqualTo(429);
    }

    @Test
    void wrongMethodsAreRefusedWithoutOpeningAStream() throws Exception {
        serve(b -> b);
        HttpResponse<Void> head = SseClient.HTTP.send(HttpRequest.newBuilder(stream("topics=a"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(405);
        assertThat(open("", Map.of()).status()).isEqualTo(200);
        HttpResponse<Void> getPublish = SseClient.HTTP.send(HttpRequest.newBuilder(stream("").resolve(BASE + "/publish"))
                .GET().build(), HttpResponse.BodyHandlers.discarding());
        assertThat(getPublish.statusCode()).isEqualTo(405);
        assertThat(getPublish.headers().firstValue("Allow").orElseThrow()).contains("POST");
        assertThat(post("", Map.of("topic", "a", "data", 1)).statusCode()).isEqualTo(405);
        for (String method : List.of("PUT", "DELETE", "PATCH", "TRACE")) {
            HttpResponse<String> other = SseClient.HTTP.send(HttpRequest.newBuilder(stream("").resolve(BASE + "/publish"))
                    .method(method, method.equals("TRACE") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Authorization", "Bearer secret").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).as(method).isEqualTo(405);
            assertThat(other.body()).as(method).doesNotContain("secret");
            if (!method.equals("TRACE")) {
                // (Tomcat refuses TRACE itself, before any servlet sees it)
                assertThat(other.headers().firstValue("Allow")).as(method).contains("GET, POST, OPTIONS");
                assertThat(json(other).path("message").asText()).as(method).contains(method);
            }
        }
        assertThat(hub.admin().connectionCount()).isEqualTo(1);
    }

    @Test
    void corsAllowsTheConfiguredOriginWithCredentialsAndAnswersPreflights() throws Exception {
        serve(b -> b);
        SseClient s = open("topics=a", Map.of("Origin", ALLOWED_ORIGIN));
        assertThat(s.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED_ORIGIN);
        assertThat(s.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
        assertThat(s.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));

        HttpResponse<String> preflight = SseClient.HTTP.send(HttpRequest.newBuilder(stream("").resolve(BASE + "/publish"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ALLOWED_ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED_ORIGIN);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
                .containsIgnoringCase("content-type");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");

        HttpResponse<String> foreign = SseClient.HTTP.send(HttpRequest.newBuilder(stream("").resolve(BASE + "/publish"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        HttpResponse<String> post = post("/publish", "{\"topic\":\"a\",\"data\":1}", Map.of("Origin", "https://evil.example"));
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
