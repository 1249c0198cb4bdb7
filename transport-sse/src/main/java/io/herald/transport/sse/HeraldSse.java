package io.herald.transport.sse;

import io.herald.Hub;
import io.herald.transport.sse.internal.Cors;
import io.herald.transport.sse.internal.SseServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Mounts a {@link Hub} as Server-Sent Events in any Jakarta Servlet 6 container (Jetty 12 ee10, Tomcat
 * 10.1 and 11). Under one base path, {@code /events} by default:
 *
 * <ul>
 *   <li>{@code GET /events?topics=a.*,b.c&rooms=r1&filter=<json>&batch=<ms>} — the {@code text/event-stream};
 *       {@code Last-Event-ID} (header) or {@code lastEventId} (query) resumes after that event;</li>
 *   <li>{@code POST /events/subscribe} and {@code /events/unsubscribe} with
 *       {@code {"connectionId","controlToken","topics"}} — change a live stream's subscriptions;</li>
 *   <li>{@code POST /events/publish} with {@code {"topic","data"}} — publish, authorized like a WebSocket
 *       client; answers {@code 202 {"id":…}}.</li>
 * </ul>
 *
 * <p>The shortest way is {@link #register(ServletContext, Hub, String)}; {@link #builder(Hub)} adds CORS and
 * the reconnection delay, and {@link #servlet()} hands the servlet to frameworks that own routing (map it
 * on {@code <base>/*} with async support). Streams use the servlet's non-blocking output: no thread is
 * held per stream. On Jetty 12 over HTTP/1.1, once a stream's response is committed, its events are written
 * as chunks straight to the connection, past Jetty's servlet output, unless a filter or handler wraps the
 * response ({@link Builder#directWrites(boolean)}). Instances are immutable and thread-safe.
 */
public final class HeraldSse {
    /** The base path used in the documentation and examples: {@value}. */
    public static final String DEFAULT_BASE = "/events";
    /** The default reconnection delay sent as {@code retry:} on every stream: {@value} milliseconds. */
    public static final long DEFAULT_RETRY_MS = 3000;
    /** The longest reconnection delay {@link Builder#retry} accepts: one day, in milliseconds ({@value}). */
    public static final long MAX_RETRY_MS = 24 * 60 * 60 * 1000L;
    /** The default limit on a POST body: {@value} bytes. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    private final Hub hub;
    private final Set<String> allowedOrigins;
    private final boolean allowCredentials;
    private final long retryMs;
    private final int maxBodyBytes;
    private final boolean directWrites;

    private HeraldSse(Builder b) {
        this.hub = b.hub;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.allowCredentials = b.allowCredentials;
        this.retryMs = b.retryMs;
        this.maxBodyBytes = b.maxBodyBytes;
        this.directWrites = b.directWrites;
    }

    /**
     * @param hub the hub whose connections the endpoints serve
     * @return a builder with the defaults: no cross-origin access, {@value #DEFAULT_RETRY_MS} ms retry,
     *     {@value #DEFAULT_MAX_BODY_BYTES} bytes per POST body
     * @throws IllegalArgumentException if the hub is {@code null}
     */
    public static Builder builder(Hub hub) {
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        return new Builder(hub);
    }

    /**
     * Registers the endpoints of a hub with default settings; see {@link #register(ServletContext, String)}.
     *
     * @param context the servlet context, while it is being initialized
     * @param hub the hub
     * @param base the base path, such as {@value #DEFAULT_BASE}
     * @return the servlet's registration
     * @throws IllegalArgumentException if an argument is invalid
     * @throws IllegalStateException if the context is already initialized
     */
    public static ServletRegistration.Dynamic register(ServletContext context, Hub hub, String base) {
        return builder(hub).build().register(context, base);
    }

    /**
     * Adds the servlet to a context, with async support, mapped on {@code <base>/*} (which also matches
     * {@code <base>} itself). Call it while the context is being initialized: from a
     * {@code ServletContainerInitializer}, a {@code ServletContextListener}, or before an embedded server
     * starts.
     *
     * @param context the servlet context
     * @param base the base path: starts with {@code /}, does not end with one (except {@code /} itself)
     * @return the servlet's registration, named {@code herald-sse:<base>}
     * @throws IllegalArgumentException if the context is {@code null} or the base invalid
     * @throws IllegalStateException if the context is already initialized or the name taken
     */
    public ServletRegistration.Dynamic register(ServletContext context, String base) {
        if (context == null) {
            throw new IllegalArgumentException("context must not be null");
        }
        if (base == null || !base.startsWith("/") || (base.length() > 1 && base.endsWith("/"))) {
            throw new IllegalArgumentException("base must start with '/' and not end with one, was " + base);
        }
        ServletRegistration.Dynamic registration = context.addServlet("herald-sse:" + base, servlet());
        if (registration == null) {
            throw new IllegalStateException("a servlet named herald-sse:" + base + " is already registered");
        }
        registration.setAsyncSupported(true);
        registration.addMapping(base.equals("/") ? "/*" : base + "/*");
        return registration;
    }

    /**
     * A new servlet for frameworks that own routing. Map it on {@code <base>/*} with async support; it
     * serves the stream at the mapping's root and the POST endpoints at {@code /subscribe},
     * {@code /unsubscribe} and {@code /publish} below it (read from {@code getPathInfo()}).
     *
     * @return the servlet; safe for concurrent requests
     */
    public HttpServlet servlet() {
        return new SseServlet(hub, new Cors(allowedOrigins, allowCredentials), retryMs, maxBodyBytes,
                directWrites);
    }

    /** Collects the settings of the endpoints; not thread-safe. */
    public static final class Builder {
        private final Hub hub;
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private boolean allowCredentials;
        private long retryMs = DEFAULT_RETRY_MS;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private boolean directWrites = true;

        private Builder(Hub hub) {
            this.hub = hub;
        }

        /**
         * Origins that may read the endpoints from a browser page of another origin (CORS). Exact values
         * such as {@code https://app.example.com}, or {@code *} for any origin. None by default (same-origin
         * pages only). The hub's own {@code allowedOrigins} still decides whether a request is admitted.
         *
         * @param origins the allowed origins
         * @return this builder
         * @throws IllegalArgumentException if the array or an origin is {@code null}, or an origin is empty;
         *     then no origin of the call is added
         */
        public Builder allowedOrigins(String... origins) {
            if (origins == null) {
                throw new IllegalArgumentException("allowedOrigins must not be null");
            }
            for (String o : origins) {
                if (o == null || o.isBlank()) {
                    // checked before any is added, so a refused call leaves the builder as it was
                    throw new IllegalArgumentException("allowedOrigins must not contain a null or empty origin");
                }
            }
            for (String o : origins) {
                allowedOrigins.add(o.trim());
            }
            return this;
        }

        /**
         * Whether cross-origin requests may carry cookies and HTTP authentication
         * ({@code new EventSource(url, {withCredentials: true})}, {@code fetch(…, {credentials: "include"})}).
         * The allowed origin is then always echoed, never {@code *}. Off by default.
         *
         * @param allow whether to send {@code Access-Control-Allow-Credentials: true}
         * @return this builder
         */
        public Builder allowCredentials(boolean allow) {
            this.allowCredentials = allow;
            return this;
        }

        /**
         * @param delay the reconnection delay sent as {@code retry:} at the start of every stream; default
         *     {@value #DEFAULT_RETRY_MS} ms, at most {@value #MAX_RETRY_MS} ms (one day); also the
         *     {@code Retry-After} of a stream refused for capacity
         * @return this builder
         * @throws IllegalArgumentException if the delay is {@code null}, negative or longer than a day
         */
        public Builder retry(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("retry must not be negative, was " + delay);
            }
            if (delay.compareTo(Duration.ofMillis(MAX_RETRY_MS)) > 0) {
                throw new IllegalArgumentException("retry must be at most 1 day, was " + delay);
            }
            this.retryMs = delay.toMillis();
            return this;
        }

        /**
         * @param bytes the largest POST body accepted; larger ones get 413; default
         *     {@value #DEFAULT_MAX_BODY_BYTES}
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxBodyBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, was " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * Whether, on Jetty 12 over HTTP/1.1, a stream's events are written as HTTP chunks straight to the
         * connection once Jetty has committed the response, instead of through Jetty's servlet output. That
         * halves the server's CPU per event when events are not batched (docs/benchmarks.md). A response that a
         * servlet filter or a Jetty handler wraps (compression, statistics) always goes through the servlet
         * output, as do other containers and HTTP/2. On by default.
         *
         * @param direct whether to write stream bodies straight to the connection where possible
         * @return this builder
         */
        public Builder directWrites(boolean direct) {
            this.directWrites = direct;
            return this;
        }

        /**
         * @return the immutable endpoints' settings
         * @throws IllegalArgumentException if credentials are allowed for any origin ({@code *}): that would
         *     let every website read a logged-in user's streams and publish as them
         */
        public HeraldSse build() {
            if (allowCredentials && allowedOrigins.contains("*")) {
                throw new IllegalArgumentException("allowCredentials(true) needs explicit allowedOrigins, not '*': "
                        + "any website could otherwise act as the logged-in user");
            }
            return new HeraldSse(this);
        }
    }
}
