package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Seed 002's controller flows against {@code --example seed002}, with JDK WebSocket clients. */
class Seed002IT {
    private DemoServer server;
    private final List<WsClient> clients = new ArrayList<>();

    private void start(Duration inactiveTime) throws Exception {
        server = new DemoServer(new Seed002App(inactiveTime, Clock.systemUTC()),
                new DemoOptions(0, false, "seed002", false), true);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(WsClient::close);
        if (server != null) {
            server.close();
        }
    }

    /** Connects, checks the welcome, joins the room. */
    private WsClient member() throws Exception {
        WsClient client = WsClient.connect(server.port());
        clients.add(client);
        JsonNode connected = client.next();
        assertThat(connected.get("type").asText()).isEqualTo("connected");
        client.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"general\"}");
        client.until(f -> f.path("type").asText().equals("joined"));
        return client;
    }

    private static JsonNode answer(WsClient client, String ref) throws InterruptedException {
        return client.until(f -> ref.equals(f.path("ref").asText(null)));
    }

    private static JsonNode event(WsClient client, String topic) throws InterruptedException {
        return client.until(f -> f.path("type").asText().equals("event") && f.path("topic").asText().equals(topic));
    }

    @Test
    void aConnectingClientIsWelcomedWithItsClientIdByTheLifecycleHook() throws Exception {
        start(Duration.ofMinutes(5));
        WsClient client = WsClient.connect(server.port());
        clients.add(client);
        String id = client.next().get("connectionId").asText();
        JsonNode welcome = event(client, "system.welcome");
        assertThat(welcome.at("/data/clientId").asText()).isEqualTo(id);
    }

    @Test
    void aRouteRepliesWithTheControllersReturnValueAndBroadcastsToTheRoom() throws Exception {
        start(Duration.ofMinutes(5));
        WsClient ann = member();
        WsClient bob = member();
        ann.send("{\"type\":\"send\",\"ref\":\"s1\",\"route\":\"chat.send\",\"data\":{\"text\":\"hi\",\"username\":\"ann\"}}");

        JsonNode reply = answer(ann, "s1");
        assertThat(reply.get("type").asText()).isEqualTo("reply");
        assertThat(reply.at("/data/success").asBoolean()).isTrue();
        for (WsClient c : List.of(ann, bob)) {
            JsonNode message = event(c, "chat.message");
            assertThat(message.get("room").asText()).isEqualTo("general");
            assertThat(message.at("/data/message").asText()).isEqualTo("hi");
            assertThat(message.get("id").asText()).isEqualTo(reply.at("/data/messageId").asText());
        }
    }

    @Test
    void aFailingControllerAnswersHandlerErrorAndAnUnknownRouteNotFound() throws Exception {
        start(Duration.ofMinutes(5));
        WsClient ann = member();
        ann.send("{\"type\":\"send\",\"ref\":\"bad\",\"route\":\"chat.send\",\"data\":{}}");
        JsonNode error = answer(ann, "bad");
        assertThat(error.get("code").asText()).isEqualTo("HANDLER_ERROR");
        assertThat(error.get("message").asText()).contains("Invalid message format");

        ann.send("{\"type\":\"send\",\"ref\":\"nope\",\"route\":\"chat.shout\",\"data\":{}}");
        assertThat(answer(ann, "nope").get("code").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void typingReachesEveryoneInTheRoomButTheSender() throws Exception {
        start(Duration.ofMinutes(5));
        WsClient ann = member();
        WsClient bob = member();
        ann.send("{\"type\":\"send\",\"ref\":\"t\",\"route\":\"chat.typing\",\"data\":{\"username\":\"ann\"}}");
        assertThat(event(bob, "chat.userTyping").at("/data/username").asText()).isEqualTo("ann");

        ann.send("{\"type\":\"send\",\"ref\":\"m\",\"route\":\"chat.send\",\"data\":{\"text\":\"after\"}}");
        List<JsonNode> before = new ArrayList<>();
        ann.until(f -> f.path("topic").asText().equals("chat.message"), before);
        assertThat(before).noneMatch(f -> f.path("topic").asText().equals("chat.userTyping"));
    }

    @Test
    void aPrivateMessageReachesOnlyItsTargetAndAnUnknownTargetIsNotFound() throws Exception {
        start(Duration.ofMinutes(5));
        WsClient ann = member();
        WsClient bob = WsClient.connect(server.port());
        clients.add(bob);
        String bobId = bob.next().get("connectionId").asText();
        ann.send("{\"type\":\"send\",\"ref\":\"p\",\"route\":\"private.message\",\"data\":{\"to\":\"" + bobId
                + "\",\"text\":\"psst\"}}");
        assertThat(answer(ann, "p").get("type").asText()).isEqualTo("reply");
        assertThat(event(bob, "private.message").at("/data/text").asText()).isEqualTo("psst");

        ann.send("{\"type\":\"send\",\"ref\":\"q\",\"route\":\"private.message\",\"data\":{\"to\":\"nobody\"}}");
        assertThat(answer(ann, "q").get("code").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void theRoomsRouteListsEveryRoomWithItsMembers() throws Exception {
        start(Duration.ofMinutes(5));
        WsClient ann = member();
        member();
        ann.send("{\"type\":\"send\",\"ref\":\"r\",\"route\":\"system.rooms\",\"data\":null}");
        JsonNode rooms = answer(ann, "r").at("/data/rooms");
        assertThat(rooms.at("/general/count").asInt()).isEqualTo(2);
        assertThat(rooms.at("/general/members")).hasSize(2);
    }

    @Test
    void aClientThatCallsNoRouteForTheInactiveTimeIsDisconnected() throws Exception {
        start(Duration.ofMillis(300));
        WsClient idle = WsClient.connect(server.port());
        clients.add(idle);
        assertThat(idle.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }
}
