package io.herald.transport.sse.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.spi.ClientJson;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.spi.QueryString;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads what the endpoints need from a servlet request. Stateless and thread-safe. */
final class Requests {
    private static final Logger LOG = LoggerFactory.getLogger(Requests.class);

    /** What a client sent that cannot be used; answered with 400 and this message. */
    static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        BadInput(String message) {
            super(message, null, false, false);
        }
    }

    private Requests() {
    }

    /**
     * Reads the request's parameters; the one place they are read, so that a query the container cannot
     * parse is answered like any other bad input, not with the container's error page.
     *
     * @return the parameters, name to values
     * @throws BadInput when the container cannot parse the query: a bad {@code %}-escape, bytes that are not
     *     UTF-8, too many parameters (Jetty 12 throws its {@code BadMessageException}, Tomcat 11 its
     *     {@code InvalidParameterException}: both runtime exceptions; Tomcat 10.1 drops what it cannot parse
     *     and says so in a request attribute, {@value QueryString#TOMCAT_PARSE_FAILED}, and decodes bytes
     *     that are not UTF-8 into U+FFFD, which {@link QueryString#wellFormed} finds)
     */
    static Map<String, String[]> parameters(HttpServletRequest request) throws BadInput {
        Map<String, String[]> parameters;
        try {
            parameters = request.getParameterMap();
        } catch (RuntimeException e) {
            LOG.debug("unparseable query string", e);
            throw unparseable();
        }
        if (request.getAttribute(QueryString.TOMCAT_PARSE_FAILED) != null
                || !QueryString.wellFormed(request.getQueryString())) {
            // a parameter dropped or changed unseen could be the filter or the token: refuse rather than serve
            // without it
            throw unparseable();
        }
        return parameters;
    }

    private static BadInput unparseable() {
        return new BadInput(QueryString.MALFORMED);
    }

    /**
     * @param parameters the request's, from {@link #parameters}
     * @return the handshake: remote address, every header, query parameters and cookies
     */
    static Handshake handshake(HttpServletRequest request, Map<String, String[]> parameters) {
        String address = request.getRemoteAddr();
        Handshake.Builder b = Handshake.builder(address == null || address.isEmpty() ? "unknown" : address);
        for (String name : Collections.list(request.getHeaderNames())) {
            b.header(name, Collections.list(request.getHeaders(name)));
        }
        if (request.getCookies() != null) {
            // the first cookie of a name counts, as in the WebSocket handshake (Handshakes.parseCookies)
            Set<String> seen = new HashSet<>();
            for (Cookie c : request.getCookies()) {
                if (seen.add(c.getName())) {
                    b.cookie(c.getName(), c.getValue());
                }
            }
        }
        parameters.forEach((name, values) -> b.query(name, List.of(values)));
        return b.build();
    }

    /**
     * @param parameters the request's, from {@link #parameters}
     * @return the stream's subscriptions from {@code topics}, {@code rooms} (comma-separated, repeatable),
     *     {@code filter} (JSON object) and {@code Last-Event-ID} / {@code lastEventId}
     * @throws BadInput when the filter is not a JSON object, or has content after it
     */
    static InitialSubscription initial(HttpServletRequest request, Map<String, String[]> parameters)
            throws BadInput {
        JsonNode filter = null;
        String f = first(parameters, "filter");
        if (f != null && !f.isBlank()) {
            try {
                filter = ClientJson.read(f);
            } catch (JsonProcessingException e) {
                throw new BadInput("filter is not valid JSON: " + ClientJson.problem(e));
            }
            if (!filter.isObject()) {
                throw new BadInput("filter must be a JSON object");
            }
        }
        String since = request.getHeader("Last-Event-ID");
        if (since == null || since.isBlank()) {
            since = first(parameters, "lastEventId");
        }
        return new InitialSubscription(list(parameters, "topics"), filter,
                since == null || since.isBlank() ? null : since.trim(), list(parameters, "rooms"));
    }

    /** @return a parameter's first value, as {@code getParameter} gives it; {@code null} when absent */
    private static String first(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    private static List<String> list(Map<String, String[]> parameters, String name) {
        List<String> out = new ArrayList<>();
        String[] values = parameters.get(name);
        if (values != null) {
            for (String v : values) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
        }
        return out;
    }

    /**
     * @param body a POST body
     * @return it as a JSON object
     * @throws BadInput when it is not a JSON object, or has content after it
     */
    static JsonNode object(byte[] body) throws BadInput {
        JsonNode node;
        try {
            node = ClientJson.read(body);
        } catch (JsonProcessingException e) {
            throw new BadInput("body is not valid JSON: " + ClientJson.problem(e));
        } catch (IOException e) {
            throw new BadInput("body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadInput("body must be a JSON object");
        }
        return node;
    }

    /** @return a required string field */
    static String text(JsonNode body, String field) throws BadInput {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new BadInput("field '" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    /** @return a required array of strings, one at least */
    static List<String> topics(JsonNode body) throws BadInput {
        JsonNode v = body.get("topics");
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new BadInput("field 'topics' must be a non-empty array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode t : v) {
            if (!t.isTextual()) {
                throw new BadInput("field 'topics' must hold strings only");
            }
            out.add(t.asText());
        }
        return out;
    }
}
