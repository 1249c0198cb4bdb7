package io.herald.transport.jakarta.internal;

import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.Handshake;
import io.herald.spi.QueryString;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges WebSocket upgrade requests before the container upgrades them; see
 * {@code HeraldWebSocket.handshakeFilter(Hub)}; {@link UpgradeServlet} uses its judging too. Runs on the
 * container thread of the request.
 */
public final class HandshakeFilter implements Filter {
    private final Hub hub;

    private HandshakeFilter(Hub hub) {
        this.hub = hub;
    }

    /**
     * Typed as {@link Filter} so that {@code HeraldWebSocket} links without the servlet API present.
     *
     * @param hub the hub
     * @return the filter
     */
    public static Filter create(Hub hub) {
        return new HandshakeFilter(hub);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || !isUpgrade(request)) {
            chain.doFilter(req, res);
            return;
        }
        Admission admission = admit(hub, request);
        if (!admission.accepted()) {
            refuse(response, admission);
            return;
        }
        Handoff.set(hub, admission);
        try {
            chain.doFilter(req, res);
        } finally {
            Handoff.clear();
        }
    }

    /** Whether any {@code Upgrade} header lists {@code websocket}: containers upgrade on any such list. */
    private static boolean isUpgrade(HttpServletRequest request) {
        for (String value : Collections.list(request.getHeaders("Upgrade"))) {
            for (String protocol : value.split(",")) {
                if (protocol.trim().equalsIgnoreCase("websocket")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Judges an upgrade request: the hub decides, unless the container could not parse the query string
     * (Jetty 12 and Tomcat 11 throw from {@code getParameterMap}; Tomcat 10.1 drops what it cannot parse
     * and marks the request, and decodes bytes that are not UTF-8 into U+FFFD, which
     * {@link QueryString#wellFormed} finds), which is refused with 400 {@code bad-request}.
     *
     * @return the verdict
     */
    static Admission admit(Hub hub, HttpServletRequest request) {
        Handshake.Builder b = handshake(request);
        Map<String, String[]> query;
        try {
            query = request.getParameterMap();
        } catch (RuntimeException e) {
            return Handshakes.unparseableQuery(b.build());
        }
        if (request.getAttribute(QueryString.TOMCAT_PARSE_FAILED) != null
                || !QueryString.wellFormed(request.getQueryString())) {
            return Handshakes.unparseableQuery(b.build());
        }
        query.forEach((name, values) -> b.query(name, List.of(values)));
        return hub.gateway().admit(b.build());
    }

    /** @return a handshake of the request's address, headers and cookies; the query is {@link #admit}'s */
    private static Handshake.Builder handshake(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        Handshake.Builder b = Handshake.builder(address == null || address.isEmpty() ? Handshakes.UNKNOWN : address);
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            List<String> values = Collections.list(request.getHeaders(name));
            b.header(name, values);
            if (name.equalsIgnoreCase("Cookie")) {
                values.forEach(v -> Handshakes.parseCookies(v, cookies));
            }
        }
        cookies.forEach(b::cookie);
        return b;
    }

    static void refuse(HttpServletResponse response, Admission admission) throws IOException {
        response.setStatus(admission.httpStatus());
        if (admission.httpStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        long retryAfter = Handshakes.retryAfterSeconds(admission);
        if (retryAfter > 0) {
            response.setHeader("Retry-After", Long.toString(retryAfter));
        }
        byte[] body = Handshakes.refusalBody(admission);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
