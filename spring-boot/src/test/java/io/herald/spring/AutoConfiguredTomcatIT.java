package io.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * {@link SpringBootContract} on Spring Boot with Tomcat, the application defining only its hub
 * ({@link HeraldBeans}): herald-spring-boot serves the rest. Jetty is on this module's class path too (the
 * auto-configuration compiles against it), so the application leaves out Boot's Jetty server, and a second
 * test shows what happens on a Jetty without Jetty's core WebSocket server.
 */
class AutoConfiguredTomcatIT extends SpringBootContract {
    private static final String JETTY =
            "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";
    private static final String TOMCAT =
            "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

    @Override
    protected Class<?> application() {
        return Application.class;
    }

    @Test
    void onAJettyWithoutItsCoreWebSocketServerTheApplicationFailsToStartSayingWhatIsMissing() {
        SpringApplication jetty = new SpringApplication(OnJetty.class);
        jetty.setDefaultProperties(Map.of("server.port", "0", "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off"));
        assertThatThrownBy(jetty::run).hasStackTraceContaining("jetty-websocket-core-server")
                .hasStackTraceContaining("herald.websocket.enabled=false");
        SpringApplication withoutWebSocket = new SpringApplication(OnJetty.class);
        withoutWebSocket.setDefaultProperties(Map.of("server.port", "0", "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off", "herald.websocket.enabled", "false"));
        try (ConfigurableApplicationContext context = withoutWebSocket.run()) {
            assertThat(context.getBeansOfType(ServletRegistrationBean.class)).containsKey("heraldSse");
        }
    }

    @Test
    void aPathThatDoesNotStartWithASlashStopsTheStartNamingItsProperty() {
        SpringApplication wrong = new SpringApplication(Application.class);
        wrong.setDefaultProperties(Map.of("server.port", "0", "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off", "herald.sse.path", "events"));
        assertThatThrownBy(wrong::run).hasStackTraceContaining("herald.sse.path must start with '/'");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(excludeName = JETTY)
    @Import(HeraldBeans.class)
    static class Application {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration(excludeName = TOMCAT)
    @Import(HeraldBeans.class)
    static class OnJetty {
    }
}
