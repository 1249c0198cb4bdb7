package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Seed 000's clients against {@code --example seed000}, with the JDK WebSocket client. */
class Seed000IT {
    private DemoServer server;
    private Seed000App app;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new DemoServer(new DemoOptions(0, false, "seed000", false), false);
        server.start();
        app = (Seed000App) server.app();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(WsClient::close);
        server.close();
    }

    private WsClient connect(Map<String, String> headers) throws Exception {
        WsClient client = WsClient.connect(server.port(), headers);
        clients.add(client);
        JsonNode first = client.next();
        assertThat(first.get("type").asText()).isEqualTo("connection.established");
        assertThat(first.at("/payload/clientId").asText()).isNotEmpty();
        assertThat(first.at("/metadata/instanceId").asText()).isEqualTo("demo");
        return client;
    }

    @Test
    void anAnonymousClientGetsTaskEventsInTheSeedFormatButNoSystemEventsEvenThroughDoubleStar() throws Exception {
        WsClient client = connect(Map.of());
        client.send("{\"type\":\"subscribe\",\"events\":[\"task.*\",\"**\"]}");
        JsonNode confirmed = client.next();
        assertThat(confirmed.get("type").asText()).isEqualTo("subscription.confirmed");
        assertThat(confirmed.at("/payload/subscriptions").toString()).isEqualTo("[\"task.*\",\"**\"]");

        server.hub().publish("system.health", Map.of("ok", true));
        String id = server.hub().publish("task.created", Map.of("id", 7, "text", "write docs"));
        List<JsonNode> before = new ArrayList<>();
        JsonNode event = client.until(f -> f.get("type").asText().equals("task.created"), before);

        assertThat(before).isEmpty();
        assertThat(event.at("/payload/text").asText()).isEqualTo("write docs");
        assertThat(event.at("/metadata/id").asText()).isEqualTo(id);
        assertThat(event.at("/metadata/instanceId").asText()).isEqualTo("demo");
        assertThat(event.at("/metadata/timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
    }

    @Test
    void aPrincipalHoldingSystemReadGetsSystemEventsThroughDoubleStar() throws Exception {
        String token = app.token("operator", List.of("system:read"));
        WsClient client = connect(Map.of("Authorization", "Bearer " + token));
        client.send("{\"type\":\"subscribe\",\"events\":[\"**\"]}");
        assertThat(client.next().get("type").asText()).isEqualTo("subscription.confirmed");

        server.hub().publish("system.health", Map.of("status", "healthy"));

        JsonNode event = client.next();
        assertThat(event.get("type").asText()).isEqualTo("system.health");
        assertThat(event.at("/payload/status").asText()).isEqualTo("healthy");
    }

    @Test
    void aTokenThatDoesNotVerifyIsRefusedWith401BeforeTheUpgrade() {
        String forged = new Hs256Jwt("another-secret", Clock.systemUTC())
                .sign(Map.of("sub", "mallory", "permissions", List.of("system:read")));
        assertThatThrownBy(() -> WsClient.connect(server.port(), Map.of("Authorization", "Bearer " + forged)))
                .satisfies(e -> assertThat(handshakeFailure(e).getResponse().statusCode()).isEqualTo(401));
    }

    @Test
    void errorEventsOfAnyDepthMatchDoubleStarError() throws Exception {
        WsClient client = connect(Map.of());
        client.send("{\"type\":\"subscribe\",\"events\":[\"**.error\"]}");
        assertThat(client.next().get("type").asText()).isEqualTo("subscription.confirmed");

        server.hub().publish("task.created", Map.of("id", 1));
        server.hub().publish("worker.queue.error", Map.of("message", "timed out"));

        assertThat(client.next().get("type").asText()).isEqualTo("worker.queue.error");
    }

    @Test
    void unsubscribeAnswersSubscriptionUpdatedPingAnswersPongAndUnknownTypesAnError() throws Exception {
        WsClient client = connect(Map.of());
        client.send("{\"type\":\"subscribe\",\"events\":[\"task.*\"]}");
        assertThat(client.next().get("type").asText()).isEqualTo("subscription.confirmed");
        client.send("{\"type\":\"unsubscribe\",\"events\":[\"task.*\"]}");
        JsonNode updated = client.next();
        assertThat(updated.get("type").asText()).isEqualTo("subscription.updated");
        assertThat(updated.at("/payload/unsubscribed/0").asText()).isEqualTo("task.*");

        client.send("{\"type\":\"ping\"}");
        assertThat(client.next().get("type").asText()).isEqualTo("pong");

        client.send("{\"type\":\"dance\"}");
        JsonNode error = client.next();
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.at("/payload/code").asText()).isEqualTo("UNKNOWN_TYPE");
    }

    @Test
    void floodingAnswersTheSeedsRateLimitError() throws Exception {
        WsClient client = connect(Map.of());
        for (int i = 0; i < 130; i++) {
            client.send("{\"type\":\"ping\"}");
        }
        JsonNode error = client.until(f -> f.get("type").asText().equals("error"));
        assertThat(error.at("/payload/message").asText()).isEqualTo("Rate limit exceeded");
        assertThat(error.at("/payload/code").asText()).isEqualTo("RATE_LIMITED");
    }

    private static WebSocketHandshakeException handshakeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WebSocketHandshakeException h) {
                return h;
            }
        }
        throw new AssertionError("not a handshake failure", e);
    }
}
