package io.herald.transport.sse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Requests the endpoints refuse before any stream starts, answered with Herald's JSON error rather than the
 * container's page: a query the container cannot parse, a hub that is shutting down. Subclassed once per
 * container.
 */
public abstract class SseRefusalsContract extends SseEndpointsContract {
    /** A response read off a plain socket: status, headers (names in lower case), body. */
    private record Raw(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return SseClient.JSON.readTree(body);
        }
    }

    /**
     * Sends a request exactly as written, which the JDK client would refuse to (a {@code %} not followed by two
     * hex digits), with {@code Connection: close}, and reads the whole response.
     */
    private Raw raw(String method, String target, String body) throws IOException {
        URI base = server.base();
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + target + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nOrigin: " + ALLOWED_ORIGIN + "\r\nConnection: close\r\n"
                + (method.equals("POST") ? "Content-Type: application/json\r\nContent-Length: " + content.length
                        + "\r\n" : "Accept: text/event-stream\r\n") + "\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // one byte per character: a target may carry bytes outside ASCII, not escaped
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            try {
                in.transferTo(read);
            } catch (SocketTimeoutException e) {
                throw new AssertionError(method + " " + target + ": the connection stayed open after "
                        + read.toString(StandardCharsets.UTF_8), e);
            }
            String response = read.toString(StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n\r\n");
            assertThat(end).as("a complete head in: %s", response).isPositive();
            String[] lines = response.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new Raw(Integer.parseInt(lines[0].substring(9, 12)), headers, response.substring(end + 4));
        }
    }

    private static void assertJsonBadRequest(Raw answer, String what) throws IOException {
        assertThat(answer.status()).as(what).isEqualTo(400);
        assertThat(answer.headers().get("content-type")).as(what).startsWith("application/json");
        assertThat(answer.headers().get("access-control-allow-origin")).as(what).isEqualTo(ALLOWED_ORIGIN);
        assertThat(answer.json().path("code").asText()).as(what).isEqualTo("BAD_REQUEST");
        assertThat(answer.json().path("message").asText()).as(what).contains("query string");
    }

    /**
     * @return whether the container answers a request whose target has a malformed {@code %}-escape with its
     *     own 400 before any servlet runs (Undertow, which decodes the target first)
     */
    protected boolean refusesABrokenEscapeItself() {
        return false;
    }

    /**
     * @return whether the container answers a request whose target holds bytes outside ASCII, not escaped,
     *     with its own 400 before any servlet runs (Tomcat, Undertow)
     */
    protected boolean refusesUnescapedNonAsciiItself() {
        return false;
    }

    /** Asserts Herald's JSON 400, or the container's own 400 for a broken escape where it answers those itself. */
    private void assertRefusedAsBadRequest(Raw answer, String target) throws IOException {
        if (refusesABrokenEscapeItself() && target.matches(".*%(?![0-9A-Fa-f]{2}).*")) {
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.body()).as("the container's own empty answer: " + target).isEmpty();
        } else {
            assertJsonBadRequest(answer, target);
        }
    }

    @Test
    void aStreamOrPublishWhoseQueryTheContainerCannotParseGetsAJsonBadRequest() throws Exception {
        serve(b -> b);
        for (String query : List.of("topics=a&x=%", "topics=a&x=%C3%28", "topics=%ZZ", "topics=a&=x")) {
            assertRefusedAsBadRequest(raw("GET", BASE + "?" + query, ""), "GET ?" + query);
        }
        assertRefusedAsBadRequest(raw("POST", BASE + "/publish?token=%", "{\"topic\":\"a\",\"data\":1}"),
                "POST /publish?token=%");
        assertRefusedAsBadRequest(raw("POST", BASE + "/subscribe?x=%C3%28", "{}"), "POST /subscribe?x=%C3%28");
        // bytes outside ASCII, not escaped: not UTF-8 (Jetty would turn it into U+FFFD and change the filter's
        // value unseen), and UTF-8
        for (String query : List.of("topics=a&filter=%7B%22user%22%3A%22Jos\u00e9%22%7D", "topics=a&x=1\u00ff",
                "topics=a&x=caf\u00c3\u00a9")) {
            Raw answer = raw("GET", BASE + "?" + query, "");
            if (refusesUnescapedNonAsciiItself()) {
                assertThat(answer.status()).as("refused by the container itself: " + query).isEqualTo(400);
                assertThat(answer.body()).as("the container's own answer: " + query).doesNotContain("BAD_REQUEST");
            } else {
                assertJsonBadRequest(answer, "GET ?" + query);
            }
        }
        assertThat(hub.admin().connectionCount()).isZero();
        assertThat(connect("topics=a&x=%C3%A9").connected().path("type").asText())
                .as("a well-formed escape still opens a stream").isEqualTo("connected");
    }

    @Test
    void afterShutdownAStreamAPublishAndAControlRequestAreRefused503AsInternalNamingTheShutdown()
            throws Exception {
        serve(b -> b);
        JsonNode live = connect("topics=a").connected();
        String connectionId = live.path("connectionId").asText();
        String token = live.path("controlToken").asText();
        hub.close(Duration.ofSeconds(5));
        SseClient stream = open("topics=a", Map.of("Origin", ALLOWED_ORIGIN));
        assertThat(stream.status()).isEqualTo(503);
        assertThat(stream.headers().firstValue("Retry-After")).isPresent();
        assertThat(stream.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED_ORIGIN);
        assertThat(stream.json().path("code").asText()).isEqualTo("INTERNAL");
        assertThat(stream.json().path("message").asText()).contains("shutdown");
        HttpResponse<String> publish = post("/publish", Map.of("topic", "a", "data", 1));
        assertThat(publish.statusCode()).isEqualTo(503);
        assertThat(publish.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(publish).path("code").asText()).isEqualTo("INTERNAL");
        assertThat(json(publish).path("message").asText()).contains("shutdown");
        HttpResponse<String> control = post("/subscribe", Map.of("connectionId", connectionId,
                "controlToken", token, "topics", List.of("b")));
        assertThat(control.statusCode()).as("not 404 for the stream the shutdown ended").isEqualTo(503);
        assertThat(control.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(control).path("code").asText()).isEqualTo("INTERNAL");
        assertThat(json(control).path("message").asText()).contains("shutting down");
    }
}
