package io.herald.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Hub;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring Boot application on Jetty whose class path lacks Jetty's core WebSocket server: this module
 * compiles against Boot's Jetty support without it. The WebSocket endpoint cannot be served there, and the
 * start says so instead of serving 404s.
 */
class JettyWithoutWebSocketCoreIT {
    private static final String TOMCAT =
            "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

    @Test
    void theApplicationFailsToStartNamingWhatIsMissingAndStartsWithTheEndpointTurnedOff() {
        assertThatThrownBy(() -> Class.forName("org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> start(Map.of())).hasStackTraceContaining("jetty-websocket-core-server")
                .hasStackTraceContaining("herald.websocket.enabled=false");
        try (ConfigurableApplicationContext context = start(Map.of("herald.websocket.enabled", "false"))) {
            assertThat(context.getEnvironment().getProperty("local.server.port")).isNotNull();
            assertThat(context.getBeansOfType(ServletRegistrationBean.class)).containsKey("heraldSse")
                    .doesNotContainKey("heraldWebSocket");
        }
    }

    private static ConfigurableApplicationContext start(Map<String, Object> properties) {
        SpringApplication application = new SpringApplication(OnJetty.class);
        Map<String, Object> all = new HashMap<>(Map.of("server.port", "0", "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off"));
        all.putAll(properties);
        application.setDefaultProperties(all);
        return application.run();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(excludeName = TOMCAT)
    static class OnJetty {
        @Bean
        Hub hub() {
            return Hub.builder().build();
        }
    }
}
