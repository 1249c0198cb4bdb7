package io.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The {@code herald.*} keys bind as the docs say, and the configuration metadata IDEs read lists each of them
 * with a description and the default the class really has.
 */
class HeraldPropertiesTest {
    private static HeraldProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("herald", HeraldProperties.class);
    }

    @Test
    void everyKeyBindsAndABareNumberOfADurationIsSeconds() {
        HeraldProperties p = bind(Map.of(
                "herald.websocket.enabled", "false",
                "herald.websocket.path", "/live",
                "herald.sse.enabled", "false",
                "herald.sse.path", "/feed",
                "herald.sse.allowed-origins", "https://a.example.com, https://b.example.com",
                "herald.sse.allow-credentials", "true",
                "herald.sse.retry", "7",
                "herald.shutdown-drain", "12"));

        assertThat(p.getWebsocket().isEnabled()).isFalse();
        assertThat(p.getWebsocket().getPath()).isEqualTo("/live");
        assertThat(p.getSse().isEnabled()).isFalse();
        assertThat(p.getSse().getPath()).isEqualTo("/feed");
        assertThat(p.getSse().getAllowedOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
        assertThat(p.getSse().isAllowCredentials()).isTrue();
        assertThat(p.getSse().getRetry()).isEqualTo(Duration.ofSeconds(7));
        assertThat(p.getShutdownDrain()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void aDurationWithAUnitKeepsItsUnit() {
        HeraldProperties p = bind(Map.of("herald.sse.retry", "1500ms", "herald.shutdown-drain", "1m"));

        assertThat(p.getSse().getRetry()).isEqualTo(Duration.ofMillis(1500));
        assertThat(p.getShutdownDrain()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theMetadataListsEveryKeyWithADescriptionAndTheDefaultTheClassHas() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("written by spring-boot-configuration-processor at compile time").isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        Map<String, JsonNode> byName = new HashMap<>();
        metadata.path("properties").forEach(p -> byName.put(p.path("name").asText(), p));
        HeraldProperties defaults = new HeraldProperties();
        Map<String, Object> expected = Map.of(
                "herald.websocket.enabled", defaults.getWebsocket().isEnabled(),
                "herald.websocket.path", defaults.getWebsocket().getPath(),
                "herald.sse.enabled", defaults.getSse().isEnabled(),
                "herald.sse.path", defaults.getSse().getPath(),
                "herald.sse.allow-credentials", defaults.getSse().isAllowCredentials(),
                "herald.sse.retry", defaults.getSse().getRetry().toSeconds() + "s",
                "herald.shutdown-drain", defaults.getShutdownDrain().toSeconds() + "s");

        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(
                concat(expected.keySet(), List.of("herald.sse.allowed-origins")));
        byName.forEach((name, p) -> assertThat(p.path("description").asText()).as(name)
                .isNotBlank().doesNotContain("{@"));
        expected.forEach((name, value) -> assertThat(byName.get(name).path("defaultValue").asText())
                .as(name).isEqualTo(String.valueOf(value)));
        assertThat(byName.get("herald.websocket.path").path("description").asText()).contains("WebSocket");
        assertThat(byName.get("herald.sse.path").path("description").asText()).contains("SSE");
    }

    private static List<String> concat(java.util.Set<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
