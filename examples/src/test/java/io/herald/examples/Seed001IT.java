package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Seed 001's room flows against {@code --example seed001}, with JDK WebSocket clients. */
class Seed001IT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private DemoServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new DemoServer(new DemoOptions(0, false, "seed001", false), false);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(WsClient::close);
        server.close();
    }

    private WsClient user(String name) throws Exception {
        WsClient client = WsClient.connect(server.port(), Map.of("Authorization", "Bearer user:" + name));
        clients.add(client);
        assertThat(client.next().get("user").asText()).isEqualTo(name);
        return client;
    }

    private static JsonNode answer(WsClient client, String ref) throws InterruptedException {
        return client.until(f -> ref.equals(f.path("ref").asText(null)));
    }

    @Test
    void membersSeeJoinsBroadcastsAndLeavesInTheirRoomOnly() throws Exception {
        WsClient ann = user("ann");
        WsClient bob = user("bob");
        WsClient eve = user("eve");
        ann.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"room-1\",\"meta\":{\"name\":\"Ann\"}}");
        assertThat(answer(ann, "j").get("members")).hasSize(1);
        bob.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"room-1\"}");
        assertThat(answer(bob, "j").get("members")).hasSize(2);
        eve.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"room-2\"}");
        answer(eve, "j");

        JsonNode presence = ann.until(f -> f.path("type").asText().equals("presence"));
        assertThat(presence.get("action").asText()).isEqualTo("join");
        assertThat(presence.at("/member/user").asText()).isEqualTo("bob");

        bob.send("{\"type\":\"publish\",\"ref\":\"p\",\"room\":\"room-1\",\"topic\":\"room.message\","
                + "\"data\":{\"message\":\"Hello!\"}}");
        assertThat(answer(bob, "p").get("type").asText()).isEqualTo("published");
        JsonNode message = ann.until(f -> f.path("topic").asText().equals("room.message"));
        assertThat(message.get("room").asText()).isEqualTo("room-1");
        assertThat(message.at("/data/message").asText()).isEqualTo("Hello!");

        bob.send("{\"type\":\"leave\",\"ref\":\"l\",\"room\":\"room-1\"}");
        assertThat(answer(bob, "l").get("type").asText()).isEqualTo("left");
        JsonNode left = ann.until(f -> f.path("type").asText().equals("presence"));
        assertThat(left.get("action").asText()).isEqualTo("leave");

        eve.send("{\"type\":\"ping\",\"ref\":\"z\"}");
        List<JsonNode> before = new ArrayList<>();
        eve.until(f -> "z".equals(f.path("ref").asText(null)), before);
        assertThat(before).isEmpty();
    }

    @Test
    void aNonMemberCannotBroadcastIntoARoom() throws Exception {
        WsClient eve = user("eve");
        eve.send("{\"type\":\"publish\",\"ref\":\"p\",\"room\":\"room-1\",\"topic\":\"room.message\",\"data\":{}}");
        assertThat(answer(eve, "p").get("code").asText()).isEqualTo("FORBIDDEN");
    }

    @Test
    void anSseChannelStreamsPublishedEventsAndResumesWithLastEventId() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI stream = URI.create("http://127.0.0.1:" + server.port() + DemoServer.SSE_PATH + "?topics="
                + Seed001App.CHANNEL);
        String first;
        String second;
        try (SseLines lines = SseLines.open(http, HttpRequest.newBuilder(stream))) {
            assertThat(lines.next("event: ")).isEqualTo("event: connected");
            first = publish(http, Map.of("n", 1));
            second = publish(http, Map.of("n", 2));
            lines.next("id: " + first);
            lines.next("id: " + second);
        }
        String missed = publish(http, Map.of("n", 3));
        try (SseLines lines = SseLines.open(http, HttpRequest.newBuilder(stream).header("Last-Event-ID", second))) {
            assertThat(lines.next("data: ")).contains("\"recovered\":true");
            assertThat(lines.next("id: ")).isEqualTo("id: " + missed);
        }
    }

    private String publish(HttpClient http, Map<String, Object> data) throws Exception {
        String body = JSON.writeValueAsString(Map.of("topic", Seed001App.CHANNEL, "data", data));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + DemoServer.SSE_PATH + "/publish")).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("id").asText();
    }
}
