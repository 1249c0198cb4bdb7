package io.herald.spring;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * {@link AutoConfiguredContract} on Spring Boot with Tomcat, the application defining only its hub
 * ({@link HeraldBeans}): herald-spring-boot serves the rest. No Jetty class is on this module's class path,
 * so this also shows the auto-configuration loads without Jetty.
 */
class AutoConfiguredTomcatIT extends AutoConfiguredContract {
    @Override
    protected Class<?> application() {
        return Application.class;
    }

    @Test
    void noJettyClassIsOnThisClassPath() {
        assertThatThrownBy(() -> Class.forName("org.eclipse.jetty.server.Server"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HeraldBeans.class)
    static class Application {
    }
}
