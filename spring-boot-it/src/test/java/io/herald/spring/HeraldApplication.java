package io.herald.spring;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import jakarta.servlet.http.HttpServlet;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * A Spring Boot web application on Tomcat (Boot's default) serving a hub by hand: {@link HeraldBeans},
 * {@link HeraldRecipe}, and the WebSocket endpoint as Herald's own servlet-upgrade WebSocket, a
 * {@link ServletRegistrationBean} too. herald-spring-boot is on this module's class path (for
 * {@link AutoConfiguredTomcatIT}): its beans of the same names give way to these.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({HeraldBeans.class, HeraldRecipe.class})
public class HeraldApplication {

    @Bean
    ServletRegistrationBean<HttpServlet> heraldWebSocket(Hub hub) {
        return new ServletRegistrationBean<>(HeraldServletWebSocket.servlet(hub), "/ws");
    }
}
