package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Seed 003's acknowledgement and namespace flows against {@code --example seed003}, with JDK clients. */
class Seed003IT {
    private DemoServer server;
    private Seed003App app;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new DemoServer(new DemoOptions(0, false, "seed003", false), false);
        server.start();
        app = (Seed003App) server.app();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(WsClient::close);
        server.close();
    }

    private WsClient connect(Map<String, String> headers) throws Exception {
        WsClient client = WsClient.connect(server.port(), headers);
        clients.add(client);
        assertThat(client.next().get("type").asText()).isEqualTo("connected");
        return client;
    }

    private static JsonNode answer(WsClient client, String ref) throws InterruptedException {
        return client.until(f -> ref.equals(f.path("ref").asText(null)));
    }

    @Test
    void anAcknowledgedRequestGetsExactlyOneAnswerWithItsRefSuccessOrError() throws Exception {
        WsClient client = connect(Map.of());
        client.send("{\"type\":\"send\",\"ref\":\"a1\",\"route\":\"request.deploy\",\"data\":{\"featureId\":\"1\"}}");
        client.send("{\"type\":\"send\",\"ref\":\"a2\",\"route\":\"request.deploy\",\"data\":{}}");

        JsonNode ok = answer(client, "a1");
        assertThat(ok.get("type").asText()).isEqualTo("reply");
        assertThat(ok.at("/data/result/status").asText()).isEqualTo("started");
        JsonNode failed = answer(client, "a2");
        assertThat(failed.get("type").asText()).isEqualTo("error");
        assertThat(failed.get("code").asText()).isEqualTo("HANDLER_ERROR");
        assertThat(failed.get("message").asText()).contains("featureId");
    }

    @Test
    void everyByteValueSurvivesABase64RoundTrip() throws Exception {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        String base64 = Base64.getEncoder().encodeToString(bytes);
        WsClient client = connect(Map.of());
        client.send("{\"type\":\"send\",\"ref\":\"b\",\"route\":\"binary.echo\",\"data\":{\"base64\":\"" + base64 + "\"}}");

        JsonNode reply = answer(client, "b").get("data");
        assertThat(reply.get("bytes").asInt()).isEqualTo(256);
        assertThat(reply.get("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(Base64.getDecoder().decode(reply.get("base64").asText())).isEqualTo(bytes);

        client.send("{\"type\":\"send\",\"ref\":\"c\",\"route\":\"binary.echo\",\"data\":{\"base64\":\"%%%\"}}");
        assertThat(answer(client, "c").get("code").asText()).isEqualTo("BAD_REQUEST");
    }

    @Test
    void theAdminNamespaceIsOnlyForPrincipalsWithItsPermissionEvenThroughDoubleStar() throws Exception {
        WsClient guest = connect(Map.of());
        guest.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"admin.*\"]}");
        assertThat(answer(guest, "s").get("code").asText()).isEqualTo("FORBIDDEN");
        guest.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"admin:ops\"}");
        assertThat(answer(guest, "j").get("code").asText()).isEqualTo("FORBIDDEN");
        guest.send("{\"type\":\"subscribe\",\"ref\":\"all\",\"topics\":[\"**\"]}");
        assertThat(answer(guest, "all").get("type").asText()).isEqualTo("subscribed");

        WsClient admin = connect(Map.of("Authorization", "Bearer " + app.token("root", List.of(Seed003App.ADMIN))));
        admin.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"admin.*\"]}");
        assertThat(answer(admin, "s").get("type").asText()).isEqualTo("subscribed");

        server.hub().publish("admin.audit", Map.of("what", "secret"));
        server.hub().publish("message.new", Map.of("message", "public"));

        assertThat(admin.until(f -> f.path("type").asText().equals("event")).get("topic").asText())
                .isEqualTo("admin.audit");
        assertThat(guest.until(f -> f.path("type").asText().equals("event")).get("topic").asText())
                .isEqualTo("message.new");
    }
}
