package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Seed 004's service clients against {@code --example seed004}, with the JDK WebSocket client. */
class Seed004IT {
    private static final Map<String, String> KEY = Map.of("Authorization", "Bearer " + Seed004App.DEMO_KEY);
    private DemoServer server;
    private final List<WsClient> clients = new ArrayList<>();

    private void start() throws Exception {
        server = new DemoServer(new DemoOptions(0, false, "seed004", false), false);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(WsClient::close);
        if (server != null) {
            server.close();
        }
    }

    private WsClient service() throws Exception {
        WsClient client = WsClient.connect(server.port(), KEY);
        clients.add(client);
        assertThat(client.next().get("user").asText()).isEqualTo("service");
        return client;
    }

    private static JsonNode answer(WsClient client, String ref) throws InterruptedException {
        return client.until(f -> ref.equals(f.path("ref").asText(null)));
    }

    @Test
    void aClientWithoutTheBearerKeyOrWithAWrongOneIsRefusedWith401() throws Exception {
        start();
        for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer nope"))) {
            assertThatThrownBy(() -> WsClient.connect(server.port(), headers))
                    .satisfies(e -> assertThat(handshakeFailure(e).getResponse().statusCode()).isEqualTo(401));
        }
    }

    @Test
    void aFilteredChannelSubscriptionDeliversOnlyTheEventsWhosePayloadMatches() throws Exception {
        start();
        WsClient client = service();
        client.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"tasks.created\"],"
                + "\"filter\":{\"priority\":[\"high\",\"critical\"],\"source\":\"agent_001\"}}");
        assertThat(answer(client, "s").get("type").asText()).isEqualTo("subscribed");

        server.hub().publish("tasks.created", Map.of("task_id", "t1", "priority", "low", "source", "agent_001"));
        server.hub().publish("tasks.created", Map.of("task_id", "t2", "priority", "high", "source", "server-01"));
        server.hub().publish("tasks.created", Map.of("task_id", "t3", "priority", "critical", "source", "agent_001"));

        JsonNode event = client.next();
        assertThat(event.get("topic").asText()).isEqualTo("tasks.created");
        assertThat(event.at("/data/task_id").asText()).isEqualTo("t3");
    }

    @Test
    void aChannelOutsideTheAllowListIsRejectedByNameAndTheRequestChangesNothing() throws Exception {
        start();
        WsClient client = service();
        client.send("{\"type\":\"subscribe\",\"ref\":\"bad\",\"topics\":[\"tasks.updates\",\"secrets.dump\"]}");
        JsonNode error = answer(client, "bad");
        assertThat(error.get("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(error.get("message").asText()).contains("secrets.dump");
        client.send("{\"type\":\"subscribe\",\"ref\":\"wild\",\"topics\":[\"tasks.*\"]}");
        assertThat(answer(client, "wild").get("code").asText()).isEqualTo("FORBIDDEN");

        client.send("{\"type\":\"subscribe\",\"ref\":\"ok\",\"topics\":[\"system.alerts\"]}");
        assertThat(answer(client, "ok").get("type").asText()).isEqualTo("subscribed");
        server.hub().publish("tasks.updates", Map.of("task_id", "t1"));
        server.hub().publish("system.alerts", Map.of("level", "warning"));
        assertThat(client.next().get("topic").asText()).isEqualTo("system.alerts");
    }

    @Test
    void sigtermClosesEveryClientWith1001Shutdown() throws Exception {
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Demo.class.getName(), "--example", "seed004",
                "--port", "0")
                .redirectErrorStream(true).start();
        try {
            StringBuffer output = new StringBuffer();
            int port = portFrom(demo, output).get(30, TimeUnit.SECONDS);
            WsClient client = WsClient.connect(port, KEY);
            clients.add(client);
            assertThat(client.next().get("type").asText()).isEqualTo("connected");

            demo.destroy();

            assertThat(client.closed.get(15, TimeUnit.SECONDS)).as("close code; the demo printed:%n%s", output)
                    .isEqualTo(1001);
            assertThat(demo.waitFor(15, TimeUnit.SECONDS)).isTrue();
        } finally {
            demo.destroyForcibly();
        }
    }

    /** Reads the demo's output on a daemon thread (so it never blocks) and completes with its port. */
    private static CompletableFuture<Integer> portFrom(Process demo, StringBuffer output) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Pattern ws = Pattern.compile("WebSocket ws://localhost:(\\d+)/ws");
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder seen = new StringBuilder();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    Matcher m = ws.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                    seen.append(line).append('\n');
                    output.append(line).append('\n');
                }
                port.completeExceptionally(new AssertionError("the demo printed no port:\n" + seen));
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        }, "seed004-demo-output");
        reader.setDaemon(true);
        reader.start();
        return port;
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
