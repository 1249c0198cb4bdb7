package io.herald.transport.jakarta.internal;

import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.transport.jakarta.HeraldWebSocket;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Accepts WebSocket handshakes (RFC 6455, section 4.2) and hands each accepted connection to an
 * {@link UpgradeConnection} through the servlet API's {@code HttpServletRequest.upgrade}. Every refusal is an
 * HTTP answer with a one-line text body, before any upgrade: 405 for a method other than GET, 426 with
 * {@code Upgrade: websocket} for a request that is not a WebSocket handshake or asks for a version other
 * than 13 ({@code Sec-WebSocket-Version: 13} says which), 400 for a missing or malformed
 * {@code Sec-WebSocket-Key}, and the hub's own refusals as the handshake filter answers them (400, 401 with
 * {@code WWW-Authenticate: Bearer}, 403, 429 and 503 with {@code Retry-After}). When Herald's handshake
 * filter is in front, its verdict is used and the hub is asked once.
 *
 * <p>No extension is ever accepted (a client offering {@code permessage-deflate} gets plain frames, as
 * RFC 6455 allows); the {@value HeraldWebSocket#SUBPROTOCOL} subprotocol is selected when offered.
 */
public final class UpgradeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final transient Hub hub;
    private final transient CloseTimer closeTimer = new CloseTimer();

    /** @param hub the hub that judges handshakes and serves the connections */
    public UpgradeServlet(Hub hub) {
        this.hub = hub;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        if (!"GET".equals(request.getMethod())) {
            response.setHeader("Allow", "GET");
            plain(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "a WebSocket handshake is a GET request");
            return;
        }
        if ("HTTP/1.0".equals(request.getProtocol()) || "HTTP/0.9".equals(request.getProtocol())) {
            plain(response, HttpServletResponse.SC_BAD_REQUEST, "a WebSocket handshake needs HTTP/1.1, was "
                    + request.getProtocol());
            return;
        }
        if (!lists(request, "Upgrade", "websocket", false) || !lists(request, "Connection", "upgrade", false)) {
            response.setHeader("Upgrade", "websocket");
            response.setHeader("Connection", "Upgrade");
            response.setHeader("Sec-WebSocket-Version", "13");
            plain(response, 426, "this is a WebSocket endpoint: a handshake needs Upgrade: websocket and"
                    + " Connection: Upgrade");
            return;
        }
        String version = request.getHeader("Sec-WebSocket-Version");
        if (version == null || !version.trim().equals("13")) {
            response.setHeader("Upgrade", "websocket");
            response.setHeader("Sec-WebSocket-Version", "13");
            plain(response, 426, "unsupported Sec-WebSocket-Version " + version + ": only 13 is spoken");
            return;
        }
        List<String> keys = Collections.list(request.getHeaders("Sec-WebSocket-Key"));
        String key = keys.isEmpty() ? null : keys.get(0);
        if (keys.size() > 1 || !validKey(key)) {
            plain(response, HttpServletResponse.SC_BAD_REQUEST, "a handshake needs one Sec-WebSocket-Key of 16"
                    + " bytes in padded base64, was " + String.join(", ", keys));
            return;
        }
        Admission admission = Handoff.take(hub);
        if (admission == null) {
            admission = HandshakeFilter.admit(hub, request);
        }
        if (!admission.accepted()) {
            HandshakeFilter.refuse(response, admission);
            return;
        }
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setHeader("Sec-WebSocket-Accept", accept(key.trim()));
        if (lists(request, "Sec-WebSocket-Protocol", HeraldWebSocket.SUBPROTOCOL, true)) {
            response.setHeader("Sec-WebSocket-Protocol", HeraldWebSocket.SUBPROTOCOL);
        }
        UpgradeConnection.prepare(hub, closeTimer, admission);
        try {
            request.upgrade(UpgradeConnection.class);
        } finally {
            UpgradeConnection.clear();
        }
    }

    /**
     * Refuses to serve on a container whose servlet upgrade is known not to carry WebSocket frames.
     *
     * @throws UnavailableException on Jetty, permanently, saying what to use instead
     */
    @Override
    public void init() throws ServletException {
        String problem = unsupported(getServletContext().getServerInfo());
        if (problem != null) {
            throw new UnavailableException(problem);
        }
    }

    /**
     * @param serverInfo a container's {@code ServletContext.getServerInfo()}
     * @return why the servlet cannot serve there, or {@code null} when it can
     */
    public static String unsupported(String serverInfo) {
        if (serverInfo != null && serverInfo.toLowerCase(java.util.Locale.ROOT).startsWith("jetty")) {
            return "HeraldServletWebSocket cannot serve on " + serverInfo + ": Jetty 12.1's servlet upgrade (ee10)"
                    + " (ee10 and ee11) hands the client's frames to its HTTP parser, which answers them with 400. On"
                    + " Jetty use HeraldJettyWebSocket.register(context, hub, path) in an ee10 context, or"
                    + " HeraldJettyHandler.wrap(hub, path, handler) in any (ee11, Spring Boot 4).";
        }
        return null;
    }

    @Override
    public void destroy() {
        closeTimer.stop();
    }

    /**
     * Whether any of a request's headers of this name lists the token (comma-separated).
     *
     * @param exact whether case counts (a subprotocol's name), or not (the tokens of Upgrade and Connection)
     */
    private static boolean lists(HttpServletRequest request, String header, String token, boolean exact) {
        for (String value : Collections.list(request.getHeaders(header))) {
            for (String item : value.split(",")) {
                String t = item.trim();
                if (exact ? t.equals(token) : t.equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a key is 16 bytes in base64 with its padding: 24 characters (RFC 6455, section 4.1). */
    private static boolean validKey(String key) {
        if (key == null || key.trim().length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** @return the {@code Sec-WebSocket-Accept} value for a key (RFC 6455, section 4.2.2) */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }

    private static void plain(HttpServletResponse response, int status, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
