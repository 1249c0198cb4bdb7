package io.herald.transport.jakarta.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.herald.Hub;
import io.herald.HubBuilder;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * What every container's test class provides, and the plumbing the contract's tests share: one hub and one
 * server per test, every client closed afterwards, and the two ways a refused handshake may look.
 */
public abstract class ContractSupport {
    /** The path every container mounts the endpoint on. */
    public static final String PATH = "/ws";

    /** A container running the endpoint for one hub. */
    public interface RunningServer extends AutoCloseable {
        /** @return the endpoint's address, {@code ws://127.0.0.1:<port>/ws} */
        URI uri();

        /** Stops the container. */
        @Override
        void close() throws Exception;

        /**
         * @param uri the endpoint's address
         * @param stop stops the container
         * @return a running server made of the two
         */
        static RunningServer of(URI uri, AutoCloseable stop) {
            return new RunningServer() {
                @Override
                public URI uri() {
                    return uri;
                }

                @Override
                public void close() throws Exception {
                    stop.close();
                }
            };
        }
    }

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    /** The hub of the current test. */
    protected Hub hub;
    /** The server of the current test. */
    protected RunningServer server;

    /**
     * Starts the container with Herald's endpoint at {@link #PATH} (and, where the container has servlets,
     * Herald's handshake filter in front of it) on an ephemeral loopback port.
     *
     * @param hub the hub to serve
     * @return the running server
     * @throws Exception if it cannot start
     */
    protected abstract RunningServer start(Hub hub) throws Exception;

    /** @return whether a refused handshake is answered with an HTTP status (else: upgraded, then closed) */
    protected abstract boolean refusesBeforeUpgrade();

    /**
     * @return whether the container answers 101 to a handshake whose query it cannot parse and then drops the
     *     connection before the endpoint sees it (Tyrus 2.2.2: its own {@code URI.create} of the request fails)
     */
    protected boolean dropsAnUnparseableQueryAfterUpgrading() {
        return false;
    }

    /**
     * @return whether the container answers a request whose target has a malformed {@code %}-escape with its
     *     own 400 before any servlet runs (Undertow, which decodes the target first)
     */
    protected boolean refusesABrokenEscapeItself() {
        return false;
    }

    /**
     * @return whether the container, refusing an oversized frame itself, drops TCP right after its 1009
     *     close frame, so that a client may see an abnormal end (1006) instead of the close
     */
    protected boolean dropsTheConnectionAfterRefusingAFrame() {
        return false;
    }

    /**
     * Builds a hub from defaults suited to tests plus the test's own settings, and starts the server.
     *
     * @param settings changes to the builder
     */
    protected void serve(UnaryOperator<HubBuilder> settings) throws Exception {
        hub = settings.apply(Hub.builder().node("it").drainTimeout(Duration.ofSeconds(5))).build();
        server = start(hub);
    }

    /** @return a client that offers {@code herald.v1}, already past its {@code connected} frame */
    protected JdkClient client() {
        JdkClient c;
        try {
            c = track(JdkClient.connect(server.uri(), Map.of(), "herald.v1"));
        } catch (WebSocketHandshakeException e) {
            throw new AssertionError("handshake refused with " + e.getResponse().statusCode(), e);
        }
        assertThat(c.next().path("type").asText()).isEqualTo("connected");
        return c;
    }

    /**
     * @param resource closed after the test, in reverse order
     * @param <T> its type
     * @return the resource
     */
    protected <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    /** @return the endpoint address with a query string */
    protected URI uri(String query) {
        return URI.create(server.uri() + "?" + query);
    }

    /**
     * Asserts that the handshake is refused: by HTTP status where the container answers before the upgrade,
     * otherwise by a close with the given code and reason before any frame.
     */
    protected void assertRefused(URI uri, Map<String, String> headers, int status, int closeCode, String reason) {
        if (refusesBeforeUpgrade()) {
            assertRefusedWithStatus(uri, headers, status);
        } else {
            JdkClient c;
            try {
                c = track(JdkClient.connect(uri, headers));
            } catch (WebSocketHandshakeException e) {
                throw new AssertionError("expected an upgrade and a close, got HTTP " + e.getResponse().statusCode(), e);
            }
            assertThat(c.awaitClose()).isEqualTo(new JdkClient.Close(closeCode, reason));
            assertThat(c.frames()).as("frames before the close").isEmpty();
        }
    }

    /** Asserts that the handshake is answered with the given HTTP status and never upgraded. */
    protected void assertRefusedWithStatus(URI uri, Map<String, String> headers, int status) {
        WebSocketHandshakeException e = catchThrowableOfType(WebSocketHandshakeException.class,
                () -> track(JdkClient.connect(uri, headers)));
        assertThat(e).as("handshake refused").isNotNull();
        assertThat(e.getResponse().statusCode()).isEqualTo(status);
    }

    /**
     * Serves a hub that wants a token, then sends handshakes whose query is malformed, each beside a valid
     * token (a container that dropped what it cannot parse would let the client in), and asserts that none
     * is served: 400 with Herald's {@code bad-request} body before the upgrade, or 1008 {@code bad-request}
     * after it, or where the container answers itself, its 400 or 500.
     */
    protected void assertMalformedQueriesAreRefused() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()));
        String token = "token=" + TestTokens.valid("ann");
        for (String query : List.of(token + "&batch=%", token + "&x=%C3%28", token + "&%ZZ=1", token + "&=x")) {
            RawClient c = track(RawClient.connect(server.uri(), server.uri().getRawPath() + "?" + query, Map.of(), 0));
            if (refusesABrokenEscapeItself() && query.matches(".*%(?![0-9A-Fa-f]{2}).*")) {
                assertThat(c.status()).as("refused by the container itself: " + query).isEqualTo(400);
                assertThat(c.body()).as("the container's own empty answer: " + query).isEmpty();
            } else if (refusesBeforeUpgrade()) {
                assertThat(c.status()).as(query).isEqualTo(400);
                assertThat(c.body()).as(query).startsWith("bad-request: the query string cannot be parsed");
            } else if (c.status() == 101) {
                List<RawClient.Frame> before = new ArrayList<>();
                RawClient.Frame close = c.readUntilClose(JdkClient.TIMEOUT, before::add);
                assertThat(before).as("frames before the close: " + query).isEmpty();
                if (close == null) {
                    assertThat(dropsAnUnparseableQueryAfterUpgrading()).as("a close frame for " + query).isTrue();
                } else {
                    assertThat(close.closeCode()).as(query).isEqualTo(1008);
                    assertThat(close.closeReason()).as(query).isEqualTo("bad-request");
                }
            } else {
                // without Herald's filter, Jetty's and Tomcat 11's WebSocket layers fail the request with 500
                // while building their own view of it, before Herald is asked
                assertThat(c.status()).as("refused by the container itself: " + query).isIn(400, 500);
            }
        }
        assertThat(hub.admin().connectionCount()).isZero();
        assertUnescapedNonAsciiIsRefused(token);
    }

    /**
     * Sends handshakes whose query carries bytes outside ASCII as they are, not %-escaped (RawClient writes each
     * character as one byte): bytes that are not UTF-8, and UTF-8. Jetty would serve them, the bytes that are
     * not UTF-8 turned into U+FFFD, so a filter's value could change unseen; none may be served.
     */
    private void assertUnescapedNonAsciiIsRefused(String token) throws Exception {
        Map<String, Boolean> utf8ByQuery = Map.of(token + "&batch=1\u00ff", false, token + "&x=Jos\u00e9", false,
                token + "&x=caf\u00c3\u00a9", true);
        for (Map.Entry<String, Boolean> q : utf8ByQuery.entrySet()) {
            String query = q.getKey();
            String what = query.substring(query.indexOf('&'));
            RawClient c;
            try {
                c = track(RawClient.connect(server.uri(), server.uri().getRawPath() + "?" + query, Map.of(), 0));
            } catch (java.io.EOFException dropped) {
                assertThat(dropsUnescapedBytesThatAreNotUtf8() && !q.getValue())
                        .as("the connection was dropped without an answer: " + what).isTrue();
                continue;
            }
            if (refusesUnescapedNonAsciiItself()) {
                assertThat(c.status()).as("refused by the container itself: " + what).isEqualTo(400);
                assertThat(c.body()).as("the container's own answer: " + what).doesNotStartWith("bad-request");
            } else if (c.status() == 101) {
                List<RawClient.Frame> before = new ArrayList<>();
                RawClient.Frame close = c.readUntilClose(JdkClient.TIMEOUT, before::add);
                assertThat(before).as("frames before the close: " + what).isEmpty();
                assertThat(close).as("a close frame for " + what).isNotNull();
                assertThat(close.closeCode()).as(what).isEqualTo(1008);
                assertThat(close.closeReason()).as(what).isEqualTo("bad-request");
            } else {
                assertThat(c.status()).as(what).isEqualTo(400);
                assertThat(c.body()).as(what).startsWith("bad-request: the query string cannot be parsed");
            }
        }
        assertThat(hub.admin().connectionCount()).isZero();
        JdkClient escaped = track(JdkClient.connect(uri(token + "&x=caf%C3%A9"), Map.of()));
        assertThat(escaped.next("connected")).as("the same characters escaped are served").isNotNull();
    }

    /**
     * @return whether the container answers a request whose target holds bytes outside ASCII, not escaped,
     *     with its own 400 before any servlet runs (Tomcat, Undertow)
     */
    protected boolean refusesUnescapedNonAsciiItself() {
        return false;
    }

    /**
     * @return whether the container drops the connection without an answer when the request target holds
     *     bytes that are not UTF-8, not escaped (Grizzly, under Tyrus)
     */
    protected boolean dropsUnescapedBytesThatAreNotUtf8() {
        return false;
    }

    @AfterEach
    void closeEverything() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
        if (hub != null) {
            hub.close(Duration.ZERO);
        }
        if (server != null) {
            server.close();
        }
    }
}
