package io.herald.spring;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * {@link AutoConfiguredContract} on Spring Boot with Jetty 12.1 (ee11), the application defining only its hub
 * ({@link HeraldBeans}): herald-spring-boot serves the rest.
 */
class AutoConfiguredJettyIT extends AutoConfiguredContract {
    @Override
    protected Class<?> application() {
        return Application.class;
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HeraldBeans.class)
    static class Application {
    }
}
