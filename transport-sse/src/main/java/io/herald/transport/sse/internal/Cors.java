package io.herald.transport.sse.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Set;

/**
 * Cross-origin rules for the SSE endpoints, done the way {@code EventSource} and {@code fetch} need them:
 * the allowed origin echoed (never {@code *} with credentials), {@code Vary: Origin} on every answer that
 * depends on it, preflights answered for the POST endpoints. Immutable and thread-safe.
 */
public final class Cors {
    static final String ALLOWED_METHODS = "GET, POST, OPTIONS";
    static final String DEFAULT_ALLOWED_HEADERS = "Content-Type, Authorization, Last-Event-ID";
    static final String EXPOSED_HEADERS = "Retry-After";

    private final Set<String> origins;
    private final boolean credentials;

    /**
     * @param origins exact origins, or {@code *} for any
     * @param credentials whether to allow cookies and HTTP authentication
     */
    public Cors(Set<String> origins, boolean credentials) {
        this.origins = Set.copyOf(origins);
        this.credentials = credentials;
    }

    private boolean allows(String origin) {
        return origin != null && (origins.contains("*") || origins.contains(origin));
    }

    /**
     * Adds the CORS headers of an actual (not preflight) request.
     *
     * @param request the request
     * @param response its response, not yet committed
     */
    void apply(HttpServletRequest request, HttpServletResponse response) {
        response.addHeader("Vary", "Origin");
        String origin = request.getHeader("Origin");
        if (!allows(origin)) {
            return;
        }
        if (credentials || !origins.contains("*")) {
            response.setHeader("Access-Control-Allow-Origin", origin);
        } else {
            response.setHeader("Access-Control-Allow-Origin", "*");
        }
        if (credentials) {
            response.setHeader("Access-Control-Allow-Credentials", "true");
        }
        response.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }

    /**
     * Answers a preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}): 204 with the allowed
     * method and headers for an allowed origin, 403 otherwise. Any other {@code OPTIONS} gets 204 with
     * {@code Allow}.
     *
     * @param request the request
     * @param response its response
     */
    void preflight(HttpServletRequest request, HttpServletResponse response) {
        response.addHeader("Vary", "Origin");
        response.addHeader("Vary", "Access-Control-Request-Method");
        response.addHeader("Vary", "Access-Control-Request-Headers");
        String method = request.getHeader("Access-Control-Request-Method");
        String origin = request.getHeader("Origin");
        if (method == null || origin == null) {
            response.setHeader("Allow", ALLOWED_METHODS);
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!allows(origin) || !(method.equals("GET") || method.equals("POST"))) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        apply(request, response);
        response.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
        String headers = request.getHeader("Access-Control-Request-Headers");
        response.setHeader("Access-Control-Allow-Headers",
                headers == null || headers.isBlank() ? DEFAULT_ALLOWED_HEADERS : headers);
        response.setHeader("Access-Control-Max-Age", "600");
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
