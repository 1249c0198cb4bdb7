package io.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Hub;
import io.herald.transport.jakarta.contract.JdkClient;
import io.herald.transport.jakarta.contract.TestTokens;
import io.herald.transport.sse.contract.SseClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Herald served by a Spring Boot web application ({@link HeraldBeans} plus the web server's WebSocket
 * endpoint; Spring MVC and Spring's own filters in front of every request), driven over loopback by the JDK's
 * WebSocket and HTTP clients. Subclassed once per web server.
 */
public abstract class SpringBootContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private ConfigurableApplicationContext context;
    private Hub hub;
    private String base;

    /** @return the application's configuration class, with {@code @EnableAutoConfiguration} */
    protected abstract Class<?> application();

    @BeforeEach
    void startApplication() {
        context = run(Map.of());
        hub = context.getBean(Hub.class);
        base = "127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.server.port");
    }

    @AfterEach
    void stopApplication() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
        context.close();
    }

    /** Starts the application on a free loopback port with these properties besides the defaults. */
    protected ConfigurableApplicationContext run(Map<String, Object> properties) {
        SpringApplication application = new SpringApplication(application());
        Map<String, Object> all = new HashMap<>(Map.of(
                "server.port", "0",
                "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off"));
        all.putAll(properties);
        application.setDefaultProperties(all);
        return application.run();
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    private JdkClient webSocket(String user) throws WebSocketHandshakeException {
        return track(JdkClient.connect(URI.create("ws://" + base + "/ws"),
                Map.of("Authorization", "Bearer " + TestTokens.valid(user)), "herald.v1"));
    }

    private SseClient stream(String query, Map<String, String> headers) throws IOException, InterruptedException {
        return track(SseClient.open(URI.create("http://" + base + "/events?" + query), headers));
    }

    private HttpResponse<String> post(String path, Object body, String token) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aWebSocketClientSubscribesPublishesAndReceivesThroughTheRegisteredServlet() throws Exception {
        JdkClient alice = webSocket("alice");
        assertThat(alice.subprotocol()).isEqualTo("herald.v1");
        assertThat(alice.next("connected").path("user").asText()).isEqualTo("alice");
        alice.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"task.*\"]}");
        assertThat(alice.next("subscribed").path("ref").asText()).isEqualTo("s");

        String fromServer = hub.publish("task.created", Map.of("id", 42));
        JsonNode event = alice.next("event");
        assertThat(event.path("id").asText()).isEqualTo(fromServer);
        assertThat(event.path("data").path("id").asInt()).isEqualTo(42);

        alice.send("{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"task.done\",\"data\":{\"id\":42}}");
        // the answer and the client's own delivery of the event may come in either order
        Map<String, String> ids = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            JsonNode frame = alice.next(f -> f.path("type").asText().matches("published|event"));
            ids.put(frame.path("type").asText(), frame.path("id").asText());
        }
        assertThat(ids.get("published")).isNotEmpty().isEqualTo(ids.get("event"));
    }

    @Test
    void aHandshakeWithoutAValidTokenIsRefusedWithItsHttpStatus() {
        URI ws = URI.create("ws://" + base + "/ws");
        WebSocketHandshakeException missing = catchThrowableOfType(WebSocketHandshakeException.class,
                () -> JdkClient.connect(ws, Map.of(), "herald.v1"));
        assertThat(missing.getResponse().statusCode()).isEqualTo(401);
        WebSocketHandshakeException expired = catchThrowableOfType(WebSocketHandshakeException.class,
                () -> JdkClient.connect(ws, Map.of("Authorization",
                        "Bearer " + TestTokens.sign("alice", System.currentTimeMillis() - 1_000)), "herald.v1"));
        assertThat(expired.getResponse().statusCode()).isEqualTo(401);
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void anSseStreamGetsEventsAndTheControlAndPublishEndpointsWorkThroughSpringsFilters() throws Exception {
        String token = TestTokens.valid("bob");
        SseClient stream = stream("topics=task.*", Map.of("Authorization", "Bearer " + token));
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        SseClient.Event connected = stream.next();
        assertThat(connected.event()).isEqualTo("connected");
        JsonNode hello = connected.json();

        String first = hub.publish("task.created", Map.of("id", 1));
        SseClient.Event event = stream.next();
        assertThat(event.id()).isEqualTo(first);
        assertThat(event.json().path("data").path("id").asInt()).isEqualTo(1);

        HttpResponse<String> subscribed = post("/events/subscribe", Map.of(
                "connectionId", hello.path("connectionId").asText(),
                "controlToken", hello.path("controlToken").asText(),
                "topics", new String[] {"chat.room1"}), token);
        assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(200);

        HttpResponse<String> published = post("/events/publish",
                Map.of("topic", "chat.room1", "data", Map.of("text", "hi")), token);
        assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
        String id = JSON.readTree(published.body()).path("id").asText();
        SseClient.Event chat = stream.next();
        assertThat(chat.id()).isEqualTo(id);
        assertThat(chat.json().path("data").path("text").asText()).isEqualTo("hi");

        HttpResponse<String> wrongToken = post("/events/subscribe", Map.of(
                "connectionId", hello.path("connectionId").asText(),
                "controlToken", "not-the-token",
                "topics", new String[] {"chat.room2"}), token);
        assertThat(wrongToken.statusCode()).isEqualTo(403);
    }

    @Test
    void aReconnectingStreamResumesFromLastEventIdWithNothingLostOrRepeated() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + TestTokens.valid("carol"));
        SseClient first = stream("topics=feed", auth);
        assertThat(first.next().event()).isEqualTo("connected");
        String seen = hub.publish("feed", Map.of("n", 1));
        assertThat(first.next().id()).isEqualTo(seen);
        first.close();

        String missed1 = hub.publish("feed", Map.of("n", 2));
        String missed2 = hub.publish("feed", Map.of("n", 3));
        SseClient second = stream("topics=feed", Map.of("Authorization", auth.get("Authorization"),
                "Last-Event-ID", seen));
        SseClient.Event connected = second.next();
        assertThat(connected.event()).isEqualTo("connected");
        assertThat(connected.json().path("recovered").asBoolean()).isTrue();
        assertThat(second.next().id()).isEqualTo(missed1);
        assertThat(second.next().id()).isEqualTo(missed2);
        String live = hub.publish("feed", Map.of("n", 4));
        assertThat(second.next().id()).isEqualTo(live);
    }

    @Test
    void heraldsErrorAnswersReachTheClientAndSpringMvcKeepsItsOwnRoutes() throws Exception {
        SseClient badTopic = stream("topics=" + URLEncoder.encode("a..b", StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer " + TestTokens.valid("dave")));
        assertThat(badTopic.status()).isEqualTo(400);
        // Herald's own JSON body, not the error page Spring Boot renders for a sendError
        JsonNode error = JSON.readTree(badTopic.body());
        assertThat(error.path("code").asText()).isEqualTo("INVALID_TOPIC");
        assertThat(error.path("message").asText()).contains("a..b");

        SseClient anonymous = stream("topics=feed", Map.of());
        assertThat(anonymous.status()).isEqualTo(401);

        HttpResponse<String> hello = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + base + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello from Spring MVC");
    }

    @Test
    void aContextPathPrefixesBothEndpoints() throws Exception {
        try (ConfigurableApplicationContext app = run(Map.of("server.servlet.context-path", "/app"))) {
            String at = "127.0.0.1:" + app.getEnvironment().getRequiredProperty("local.server.port");
            Map<String, String> auth = Map.of("Authorization", "Bearer " + TestTokens.valid("fay"));
            try (JdkClient socket = JdkClient.connect(URI.create("ws://" + at + "/app/ws"), auth, "herald.v1")) {
                assertThat(socket.next("connected").path("user").asText()).isEqualTo("fay");
            }
            try (SseClient stream = SseClient.open(URI.create("http://" + at + "/app/events?topics=a"), auth)) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.next().event()).isEqualTo("connected");
            }
        }
    }

    @Test
    void stoppingTheApplicationShutsTheHubDownBeforeTheWebServerStops() throws Exception {
        JdkClient socket = webSocket("erin");
        socket.next("connected");
        socket.send("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"news\"]}");
        socket.next("subscribed");
        SseClient stream = stream("topics=news", Map.of("Authorization", "Bearer " + TestTokens.valid("erin")));
        assertThat(stream.next().event()).isEqualTo("connected");
        String last = hub.publish("news", Map.of("last", true));

        context.close();

        assertThat(socket.next("event").path("id").asText()).isEqualTo(last);
        assertThat(socket.awaitClose()).isEqualTo(new JdkClient.Close(1001, "shutdown"));
        assertThat(stream.next().id()).isEqualTo(last);
        SseClient.Event goodbye = stream.next();
        assertThat(goodbye.event()).isEqualTo("error");
        assertThat(goodbye.json().path("reason").asText()).isEqualTo("shutdown");
        assertThat(stream.awaitEnd(Duration.ofSeconds(10))).isTrue();
    }
}
