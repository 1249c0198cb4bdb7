package io.herald.spring;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyHandler;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * A Spring Boot web application on Jetty 12.1 (ee11) serving a hub by hand: {@link HeraldBeans},
 * {@link HeraldRecipe}, and the WebSocket endpoint as a Jetty core handler in front of the handlers Boot built
 * ({@link HeraldJettyHandler}). herald-spring-boot's auto-configuration, on this module's class path for
 * {@link AutoConfiguredJettyIT}, is left out.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = "io.herald.spring.boot.HeraldAutoConfiguration")
@Import({HeraldBeans.class, HeraldRecipe.class})
public class HeraldJettyApplication {

    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory> heraldWebSocket(Hub hub) {
        return factory -> factory.addServerCustomizers(
                server -> server.setHandler(HeraldJettyHandler.wrap(hub, "/ws", server.getHandler())));
    }
}
