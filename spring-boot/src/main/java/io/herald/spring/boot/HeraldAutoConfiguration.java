package io.herald.spring.boot;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyHandler;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import io.herald.transport.sse.HeraldSse;
import jakarta.servlet.http.HttpServlet;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Serves the application's {@link Hub} bean from Spring Boot's servlet web server:
 *
 * <ul>
 *   <li>the WebSocket endpoint at {@code herald.websocket.path} ({@code /ws}): on Tomcat Herald's own WebSocket
 *       ({@link HeraldServletWebSocket}) registered as a servlet, on Jetty a core handler in front of Boot's
 *       ({@link HeraldJettyHandler}), since Jetty's servlet upgrade cannot carry Herald's frames;</li>
 *   <li>the SSE stream and its control and publish endpoints under {@code herald.sse.path} ({@code /events});</li>
 *   <li>the hub's close as the application stops, before Boot's graceful shutdown, which would otherwise wait
 *       for the open streams and then cut every connection without telling its client.</li>
 * </ul>
 *
 * <p>Nothing happens without a single {@code Hub} bean (or a {@code @Primary} one among several), or outside a
 * servlet web application. Either endpoint is turned off with {@code herald.websocket.enabled=false} or
 * {@code herald.sse.enabled=false}; an application that defines a bean named {@code heraldWebSocket},
 * {@code heraldSse} or {@code heraldShutdown} itself (the by-hand recipe of docs/transports.md) keeps its own.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
    "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnSingleCandidate(Hub.class)
@EnableConfigurationProperties(HeraldProperties.class)
public class HeraldAutoConfiguration {
    private static final String JETTY_UPGRADE_HANDLER =
            "org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler";
    /**
     * The most seconds a bare number may give: above it, the number is taken for milliseconds written without
     * a unit (SSE's own {@code retry:} field is in milliseconds).
     */
    static final long MAX_UNITLESS_SECONDS = 60;
    /** What an endpoint's {@code enabled} may be, besides {@code true}, to turn it off. */
    private static final Set<String> OFF = Set.of("false", "0", "no", "off");

    /**
     * Refuses the values that would be read otherwise than meant, each naming its property (Boot's failure
     * analyzer then says where the value came from): an endpoint's {@code enabled} that Boot's binder reads as
     * on but its conditions, which compare the text with {@code true}, as off ({@code 1}, {@code yes},
     * {@code on}, {@code true} with a space; YAML's {@code yes} and {@code on} arrive as {@code true}), and a
     * bare number above 60 for a duration whose bare numbers are seconds ({@code herald.sse.retry=3000} would be
     * 50 minutes, {@code 500} over 8).
     *
     * @param environment the application's properties
     * @throws InvalidConfigurationPropertyValueException naming the property and what to write instead
     */
    public HeraldAutoConfiguration(Environment environment) {
        for (String key : new String[] {"herald.websocket.enabled", "herald.sse.enabled"}) {
            String value = environment.getProperty(key);
            if (value != null && !value.equalsIgnoreCase("true")
                    && !OFF.contains(value.trim().toLowerCase(Locale.ROOT))) {
                throw new InvalidConfigurationPropertyValueException(key, value, "Write true or false: only the"
                        + " text 'true' turns the endpoint on, so this value would turn it off.");
            }
        }
        for (String key : new String[] {"herald.sse.retry", "herald.shutdown-drain"}) {
            String value = environment.getProperty(key);
            long n = value != null && value.trim().matches("\\+?\\d{1,18}") ? Long.parseLong(value.trim()) : 0;
            if (n > MAX_UNITLESS_SECONDS) {
                throw new InvalidConfigurationPropertyValueException(key, value, "A bare number is seconds here,"
                        + " so this is " + n + " seconds. Give the unit: " + n + "ms for milliseconds, or a value"
                        + " in s, m or h.");
            }
        }
    }

    /**
     * Closes the hub when the application stops: in the phase right above the web server's graceful
     * shutdown, so after the lifecycles of the default phase (listener containers, schedulers that may still
     * publish) and before the server waits for open requests. A closed hub cannot start again, so it cannot
     * be paused either.
     */
    @Bean
    @ConditionalOnMissingBean(name = "heraldShutdown")
    SmartLifecycle heraldShutdown(Hub hub, HeraldProperties properties) {
        Duration drain = properties.getShutdownDrain();
        if (drain == null || drain.isNegative()) {
            throw new IllegalArgumentException("herald.shutdown-drain must be 0 or more, was " + drain);
        }
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                hub.close(drain);
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public boolean isPauseable() {
                return false;
            }

            @Override
            public int getPhase() {
                return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
            }
        };
    }

    @Bean
    @ConditionalOnProperty(prefix = "herald.sse", name = "enabled", havingValue = "true", matchIfMissing = true)
    @ConditionalOnMissingBean(name = "heraldSse")
    ServletRegistrationBean<HttpServlet> heraldSse(Hub hub, HeraldProperties properties) {
        HeraldProperties.Sse sse = properties.getSse();
        String base = path("herald.sse.path", sse.getPath(), true);
        HeraldSse endpoints = HeraldSse.builder(hub)
                .allowedOrigins(sse.getAllowedOrigins().toArray(String[]::new))
                .allowCredentials(sse.isAllowCredentials())
                .retry(sse.getRetry())
                .build();
        ServletRegistrationBean<HttpServlet> registration = new ServletRegistrationBean<>(endpoints.servlet(),
                base.equals("/") ? "/*" : base + "/*");
        registration.setName("herald-sse");
        registration.setAsyncSupported(true);
        return registration;
    }

    /** Tomcat: Herald's own WebSocket on the servlet upgrade. Chosen by the server Boot runs, not by the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(type = "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory")
    @ConditionalOnProperty(prefix = "herald.websocket", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class TomcatWebSocket {
        @Bean
        @ConditionalOnMissingBean(name = "heraldWebSocket")
        ServletRegistrationBean<HttpServlet> heraldWebSocket(Hub hub, HeraldProperties properties) {
            String path = path("herald.websocket.path", properties.getWebsocket().getPath(), false);
            ServletRegistrationBean<HttpServlet> registration = new ServletRegistrationBean<>(
                    HeraldServletWebSocket.servlet(hub), path);
            registration.setName("herald-websocket");
            return registration;
        }
    }

    /**
     * Jetty: the endpoint on Jetty's core WebSocket API, as a handler in front of Boot's (Jetty's servlet
     * upgrade cannot carry Herald's own WebSocket).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(type = "org.springframework.boot.jetty.servlet.JettyServletWebServerFactory")
    @ConditionalOnProperty(prefix = "herald.websocket", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class JettyWebSocket {
        @Bean
        @ConditionalOnMissingBean(name = "heraldWebSocket")
        WebServerFactoryCustomizer<JettyServletWebServerFactory> heraldWebSocket(Hub hub, HeraldProperties properties) {
            String path = path("herald.websocket.path", properties.getWebsocket().getPath(), false);
            try {
                Class.forName(JETTY_UPGRADE_HANDLER, false, HeraldAutoConfiguration.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Herald's WebSocket endpoint on Jetty needs Jetty's core WebSocket"
                        + " server (org.eclipse.jetty.websocket:jetty-websocket-core-server, which"
                        + " spring-boot-starter-jetty brings); add it, or set herald.websocket.enabled=false", e);
            }
            // the handler sits in front of the servlet context, so its path carries the context path
            return factory -> factory.addServerCustomizers(server -> server.setHandler(
                    HeraldJettyHandler.wrap(hub, factory.getContextPath() + path, server.getHandler())));
        }
    }

    /**
     * @param root whether {@code /} itself is allowed (the SSE base may be the root; a WebSocket endpoint there
     *     would take the dispatcher's mapping)
     * @return the path, checked: literal segments only, since a servlet mapping and Jetty's path template read
     *     {@code *} and {@code {}} differently
     * @throws IllegalArgumentException naming the property when the path is not one
     */
    static String path(String property, String value, boolean root) {
        if (value == null || !value.matches("/|(/[A-Za-z0-9._~!$&'()+,;=:@%-]+)+")
                || (value.equals("/") && !root)) {
            throw new IllegalArgumentException(property + " must start with '/', not end with one and hold only"
                    + " literal segments" + (root ? "" : " (and not be '/' itself)") + ", was '" + value + "'");
        }
        return value;
    }
}
