package io.herald.spring;

import io.herald.Hub;
import io.herald.spi.Authorizer;
import io.herald.transport.jakarta.contract.TestTokens;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What every Herald application of these tests defines itself: the hub, built from {@code Hub.builder()}, and
 * an MVC route of its own. How the hub is served is {@link HeraldRecipe}'s (by hand, as docs/transports.md
 * shows) or herald-spring-boot's auto-configuration.
 */
@Configuration(proxyBeanMethods = false)
@Import(HeraldBeans.Hello.class)
public class HeraldBeans {

    @Bean
    Hub hub() {
        return Hub.builder()
                .node("spring")
                .authenticator(TestTokens.authenticator())
                .authorizer(Authorizer.OPEN)
                .heartbeat(Duration.ofSeconds(5))
                .build();
    }

    /** The application's own MVC routes, which must keep working beside Herald's servlets. */
    @RestController
    static class Hello {
        @GetMapping("/hello")
        String hello() {
            return "hello from Spring MVC";
        }
    }
}
