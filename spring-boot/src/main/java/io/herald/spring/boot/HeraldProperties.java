package io.herald.spring.boot;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * The {@code herald.*} settings of {@link HeraldAutoConfiguration}. The hub's own settings (authentication,
 * limits, heartbeat) are the application's {@code Hub} bean's, built with {@code Hub.builder()}.
 */
@ConfigurationProperties("herald")
public class HeraldProperties {
    private final WebSocket websocket = new WebSocket();
    private final Sse sse = new Sse();
    /**
     * How long closing the hub may take when the application stops: queued frames flush, clients are told.
     * A bare number is seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration shutdownDrain = Duration.ofSeconds(5);

    public WebSocket getWebsocket() {
        return websocket;
    }

    public Sse getSse() {
        return sse;
    }

    public Duration getShutdownDrain() {
        return shutdownDrain;
    }

    public void setShutdownDrain(Duration shutdownDrain) {
        this.shutdownDrain = shutdownDrain;
    }

    /** What both endpoints have: whether to serve them, and where. */
    public abstract static class Endpoint {
        // (the configuration metadata describes these per endpoint: META-INF/additional-spring-configuration-metadata.json)
        private boolean enabled = true;
        private String path;

        Endpoint(String path) {
            this.path = path;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }
    }

    /** {@code herald.websocket.*}: the WebSocket endpoint, at {@code /ws} by default. */
    public static class WebSocket extends Endpoint {
        public WebSocket() {
            super("/ws");
        }
    }

    /** {@code herald.sse.*}: the SSE stream and its control and publish endpoints, under {@code /events}. */
    public static class Sse extends Endpoint {
        /** Origins other than the application's own that may use the endpoints (CORS). */
        private List<String> allowedOrigins = new ArrayList<>();
        /** Whether those origins may send credentials (cookies) with their requests. */
        private boolean allowCredentials;
        /** The reconnection delay sent to browsers in the stream's retry field. A bare number is seconds. */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration retry = Duration.ofSeconds(3);

        public Sse() {
            super("/events");
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public boolean isAllowCredentials() {
            return allowCredentials;
        }

        public void setAllowCredentials(boolean allowCredentials) {
            this.allowCredentials = allowCredentials;
        }

        public Duration getRetry() {
            return retry;
        }

        public void setRetry(Duration retry) {
            this.retry = retry;
        }
    }
}
