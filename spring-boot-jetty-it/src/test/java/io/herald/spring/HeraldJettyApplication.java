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
 * ({@link HeraldJettyHandler}). herald-spring-boot is on this module's class path (for
 * {@link AutoConfiguredJettyIT}): its beans of the same names give way to these.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({HeraldBeans.class, HeraldRecipe.class})
public class HeraldJettyApplication {

    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory> heraldWebSocket(Hub hub) {
        // in front of the servlet context: the path carries the context path
        return factory -> factory.addServerCustomizers(server -> server.setHandler(
                HeraldJettyHandler.wrap(hub, factory.getContextPath() + "/ws", server.getHandler())));
    }
}
