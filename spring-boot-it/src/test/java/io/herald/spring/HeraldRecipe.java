package io.herald.spring;

import io.herald.Hub;
import io.herald.transport.sse.HeraldSse;
import jakarta.servlet.http.HttpServlet;
import java.time.Duration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Serving the hub by hand, the way docs/transports.md tells Spring users to without herald-spring-boot: the SSE
 * servlet is a {@link ServletRegistrationBean} beside Spring MVC's dispatcher, and a {@link SmartLifecycle}
 * closes the hub when the application stops. The WebSocket endpoint is the web server's own business
 * ({@link HeraldApplication} on Tomcat).
 */
@Configuration(proxyBeanMethods = false)
public class HeraldRecipe {

    @Bean
    ServletRegistrationBean<HttpServlet> heraldSse(Hub hub) {
        return new ServletRegistrationBean<>(HeraldSse.builder(hub).build().servlet(), "/events/*");
    }

    /**
     * Closes the hub as the application starts to stop, before the web server's graceful shutdown: that waits
     * for open requests, and an SSE stream stays open until the hub ends it. Were the hub closed as an
     * ordinary bean (after the server stopped), clients would lose their connections without the 1001
     * {@code shutdown} that tells them to reconnect elsewhere.
     */
    @Bean
    SmartLifecycle heraldShutdown(Hub hub) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                hub.close(Duration.ofSeconds(5));
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            /** A closed hub cannot start again: a paused context keeps it serving. */
            @Override
            public boolean isPauseable() {
                return false;
            }

            /** Right above the graceful shutdown: after the default phase's producers, before the server waits. */
            @Override
            public int getPhase() {
                return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
            }
        };
    }
}
