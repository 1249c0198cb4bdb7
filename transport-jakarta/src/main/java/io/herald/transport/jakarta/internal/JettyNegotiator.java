package io.herald.transport.jakarta.internal;

import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.Handshake;
import io.herald.spi.QueryString;
import io.herald.transport.jakarta.HeraldWebSocket;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;

/**
 * Judges an upgrade request on Jetty's core WebSocket API and, when the hub accepts it, returns the
 * connection's {@link JettyConnection}. Runs on the container thread of the request, inside Jetty's
 * {@code WebSocketUpgradeFilter} (after any filter in front of it) or its core
 * {@code WebSocketUpgradeHandler}: when Herald's handshake filter already judged the request on this thread
 * its verdict is used, otherwise the hub is asked here. A refusal is
 * answered with its HTTP status ({@code 400}, {@code 401} with {@code WWW-Authenticate: Bearer}, {@code 403},
 * {@code 429} or {@code 503} with {@code Retry-After}, {@code 500} when the authenticator fails) and a
 * one-line text body, before any upgrade, as
 * the handshake filter does. Nothing of the request is kept once the connection is open.
 */
public final class JettyNegotiator implements WebSocketNegotiator {
    private final Hub hub;

    /** @param hub the hub that judges handshakes and serves the connections */
    public JettyNegotiator(Hub hub) {
        this.hub = hub;
    }

    @Override
    public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        Admission admission = Handoff.take(hub);
        if (admission == null) {
            admission = admit(hub, request);
        }
        if (!admission.accepted()) {
            refuse(response, admission, callback);
            return null;
        }
        if (request.hasSubProtocol(HeraldWebSocket.SUBPROTOCOL)) {
            response.setAcceptedSubProtocol(HeraldWebSocket.SUBPROTOCOL);
        }
        return new JettyConnection(hub, admission);
    }

    /**
     * Judges an upgrade request: the hub decides, unless the query string is malformed
     * ({@link QueryString#wellFormed}) or Jetty cannot parse it, which is refused with 400 {@code bad-request}.
     */
    private static Admission admit(Hub hub, Request request) {
        Handshake.Builder b = handshake(request);
        if (!QueryString.wellFormed(request.getHttpURI().getQuery())) {
            return Handshakes.unparseableQuery(b.build());
        }
        Fields query;
        try {
            query = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            // too many parameters
            return Handshakes.unparseableQuery(b.build());
        }
        for (Fields.Field f : query) {
            b.query(f.getName(), f.getValues());
        }
        return hub.gateway().admit(b.build());
    }

    /** @return a handshake of the request's address, headers and cookies; the query is {@link #admit}'s */
    private static Handshake.Builder handshake(Request request) {
        String address = Request.getRemoteAddr(request);
        Handshake.Builder b = Handshake.builder(address == null || address.isEmpty() ? Handshakes.UNKNOWN : address);
        Map<String, String> cookies = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            String name = field.getName();
            String value = field.getValue();
            if (name == null || value == null) {
                continue;
            }
            b.header(name, value);
            if (name.equalsIgnoreCase("Cookie")) {
                Handshakes.parseCookies(value, cookies);
            }
        }
        cookies.forEach(b::cookie);
        return b;
    }

    private static void refuse(ServerUpgradeResponse response, Admission admission, Callback callback) {
        response.setStatus(admission.httpStatus());
        if (admission.httpStatus() == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        }
        long retryAfter = Handshakes.retryAfterSeconds(admission);
        if (retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(retryAfter));
        }
        byte[] body = Handshakes.refusalBody(admission);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
