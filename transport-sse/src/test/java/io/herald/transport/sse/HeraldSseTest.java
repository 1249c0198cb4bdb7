package io.herald.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Hub;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeraldSseTest {
    private final Hub hub = Hub.builder().build();

    @AfterEach
    void close() {
        hub.close(Duration.ZERO);
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> HeraldSse.builder(null)).hasMessageContaining("hub");
        assertThatThrownBy(() -> HeraldSse.builder(hub).retry(Duration.ofMillis(-1))).hasMessageContaining("retry");
        assertThatThrownBy(() -> HeraldSse.builder(hub).maxBodyBytes(0)).hasMessageContaining("maxBodyBytes");
        assertThatThrownBy(() -> HeraldSse.builder(hub).allowedOrigins(" ")).hasMessageContaining("allowedOrigins");
    }

    @Test
    void aNullOriginsArrayOrANullOriginIsRefusedAsAnInvalidSettingAndAddsNothing() {
        assertThatThrownBy(() -> HeraldSse.builder(hub).allowedOrigins((String[]) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedOrigins");
        assertThatThrownBy(() -> HeraldSse.builder(hub).allowedOrigins("https://a.example", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedOrigins");
        HeraldSse.Builder b = HeraldSse.builder(hub).allowCredentials(true);
        assertThatThrownBy(() -> b.allowedOrigins("*", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.build()).as("the refused call added no '*', which credentials would forbid").isNotNull();
    }

    @Test
    void aRetryLongerThanADayIsRefusedAtTheBuilder() {
        assertThatThrownBy(() -> HeraldSse.builder(hub).retry(ChronoUnit.FOREVER.getDuration()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retry must be at most 1 day");
        assertThatThrownBy(() -> HeraldSse.builder(hub).retry(Duration.ofDays(1).plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retry");
        assertThat(HeraldSse.builder(hub).retry(Duration.ofDays(1)).build()).isNotNull();
    }

    @Test
    void registerRejectsAMissingContext() {
        HeraldSse sse = HeraldSse.builder(hub).build();
        assertThatThrownBy(() -> sse.register(null, "/events")).hasMessageContaining("context");
        assertThatThrownBy(() -> HeraldSse.register(null, hub, "/events")).hasMessageContaining("context");
    }

    @Test
    void eachCallToServletGivesANewServlet() {
        HeraldSse sse = HeraldSse.builder(hub).allowedOrigins("https://a.example").allowCredentials(true).build();
        assertThat(sse.servlet()).isNotSameAs(sse.servlet());
    }

    @Test
    void credentialsForAnyOriginAreRefusedAtBuildTime() {
        Hub hub = Hub.builder().build();
        try {
            assertThatThrownBy(() -> HeraldSse.builder(hub).allowedOrigins("*").allowCredentials(true).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedOrigins");
            assertThat(HeraldSse.builder(hub).allowedOrigins("*").build()).isNotNull();
        } finally {
            hub.close();
        }
    }
}
