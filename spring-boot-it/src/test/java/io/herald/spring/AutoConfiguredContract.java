package io.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.herald.Hub;
import io.herald.spring.boot.HeraldProperties;
import io.herald.transport.jakarta.contract.JdkClient;
import io.herald.transport.jakarta.contract.TestTokens;
import io.herald.transport.sse.contract.SseClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@link SpringBootContract} for an application that defines only its hub and lets herald-spring-boot serve
 * it, plus what the {@code herald.*} properties change, seen from real clients. Subclassed once per web server.
 */
public abstract class AutoConfiguredContract extends SpringBootContract {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TestTokens.valid("gus"));

    private static String address(ConfigurableApplicationContext app) {
        return "127.0.0.1:" + app.getEnvironment().getRequiredProperty("local.server.port");
    }

    @Test
    void theHeraldPropertiesMoveBothEndpointsAndShapeTheStreams() throws Exception {
        try (ConfigurableApplicationContext app = run(Map.of(
                "herald.websocket.path", "/live",
                "herald.sse.path", "/feed",
                "herald.sse.allowed-origins", "https://app.example.com,https://admin.example.com",
                "herald.sse.allow-credentials", "true",
                "herald.sse.retry", "7",
                "herald.shutdown-drain", "250ms"))) {
            String at = address(app);
            try (JdkClient socket = JdkClient.connect(URI.create("ws://" + at + "/live"), AUTH, "herald.v1")) {
                assertThat(socket.next("connected").path("user").asText()).isEqualTo("gus");
            }
            WebSocketHandshakeException atDefault = catchThrowableOfType(WebSocketHandshakeException.class,
                    () -> JdkClient.connect(URI.create("ws://" + at + "/ws"), AUTH, "herald.v1").close());
            assertThat(atDefault).as("nothing left at the default path").isNotNull();
            assertThat(atDefault.getResponse().statusCode()).isEqualTo(404);

            Map<String, String> fromAdmin = new HashMap<>(AUTH);
            fromAdmin.put("Origin", "https://admin.example.com");
            try (SseClient stream = SseClient.open(URI.create("http://" + at + "/feed?topics=a"), fromAdmin)) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.headers().firstValue("Access-Control-Allow-Origin"))
                        .contains("https://admin.example.com");
                assertThat(stream.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
                assertThat(stream.next().event()).isEqualTo("connected");
                assertThat(stream.firstLines()).as("a bare number of seconds").contains("retry: 7000");
            }
            Map<String, String> fromElsewhere = new HashMap<>(AUTH);
            fromElsewhere.put("Origin", "https://evil.example.net");
            try (SseClient stream = SseClient.open(URI.create("http://" + at + "/feed?topics=a"), fromElsewhere)) {
                assertThat(stream.headers().firstValue("Access-Control-Allow-Origin"))
                        .as("a page of another origin may not read the stream").isEmpty();
            }
            assertThat(preflight(at + "/feed/publish", "https://admin.example.com").statusCode()).isEqualTo(204);
            assertThat(preflight(at + "/feed/publish", "https://evil.example.net").statusCode()).isEqualTo(403);
            assertThat(app.getBean(HeraldProperties.class).getShutdownDrain()).isEqualTo(Duration.ofMillis(250));
        }
    }

    /** A browser's CORS preflight for a POST with a JSON body. */
    private static HttpResponse<Void> preflight(String target, String origin) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + target))
                .timeout(Duration.ofSeconds(10))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .build(), HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void disabledEndpointsLeaveTheirPathsToTheApplication() throws Exception {
        try (ConfigurableApplicationContext app = run(Map.of(
                "herald.websocket.enabled", "false",
                "herald.sse.enabled", "false"))) {
            String at = address(app);
            WebSocketHandshakeException socket = catchThrowableOfType(WebSocketHandshakeException.class,
                    () -> JdkClient.connect(URI.create("ws://" + at + "/ws"), AUTH, "herald.v1").close());
            assertThat(socket).isNotNull();
            assertThat(socket.getResponse().statusCode()).isEqualTo(404);
            try (SseClient stream = SseClient.open(URI.create("http://" + at + "/events?topics=a"), AUTH)) {
                assertThat(stream.status()).isEqualTo(404);
            }
            assertThat(app.getBean(Hub.class).admin().connectionCount()).isZero();
        }
    }

    @Test
    void anEnabledThatOnlyTheBinderReadsAsOnStopsTheStartRatherThanTurnTheEndpointOff() {
        assertThatThrownBy(() -> run(Map.of("herald.sse.enabled", "1")))
                .hasStackTraceContaining("herald.sse.enabled with value '1' is invalid")
                .hasStackTraceContaining("Write true or false");
        assertThatThrownBy(() -> run(Map.of("herald.websocket.enabled", "yes")))
                .hasStackTraceContaining("herald.websocket.enabled with value 'yes' is invalid");
        // any case of true turns it on, and the binder's other words for off turn it off
        try (ConfigurableApplicationContext app = run(Map.of("herald.sse.enabled", "TRUE",
                "herald.websocket.enabled", "off"))) {
            assertThat(app.containsBean("heraldSse")).isTrue();
            assertThat(app.containsBean("heraldWebSocket")).isFalse();
        }
    }

    @Test
    void aBareNumberAboveSixtySecondsStopsTheStartAskingForItsUnit() throws Exception {
        assertThatThrownBy(() -> run(Map.of("herald.sse.retry", "3000")))
                .hasStackTraceContaining("herald.sse.retry with value '3000' is invalid")
                .hasStackTraceContaining("this is 3000 seconds. Give the unit: 3000ms");
        assertThatThrownBy(() -> run(Map.of("herald.shutdown-drain", "+61")))
                .hasStackTraceContaining("herald.shutdown-drain with value '+61' is invalid");
        // with its unit, or at most a minute, it starts
        try (ConfigurableApplicationContext app = run(Map.of("herald.sse.retry", "3000ms",
                "herald.shutdown-drain", "60"))) {
            assertThat(app.getBean(HeraldProperties.class).getSse().getRetry()).isEqualTo(Duration.ofSeconds(3));
            assertThat(app.getBean(HeraldProperties.class).getShutdownDrain()).isEqualTo(Duration.ofSeconds(60));
        }
    }

    @Test
    void aPathThatDoesNotStartWithASlashStopsTheStartNamingItsProperty() {
        assertThatThrownBy(() -> run(Map.of("herald.sse.path", "events")))
                .hasStackTraceContaining("herald.sse.path must start with '/'");
        assertThatThrownBy(() -> run(Map.of("herald.websocket.path", "ws")))
                .hasStackTraceContaining("herald.websocket.path must start with '/'");
    }
}
