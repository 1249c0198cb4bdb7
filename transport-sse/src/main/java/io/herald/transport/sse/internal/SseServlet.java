package io.herald.transport.sse.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.ConnectionGateway;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SSE endpoints of one hub: the stream ({@code GET} at the mapping's root), {@code POST /subscribe},
 * {@code /unsubscribe} and {@code /publish}, and CORS preflights. Every method runs on the container thread
 * of its request and returns without waiting for a client: the stream continues asynchronously in its
 * {@link SseTransport}; POST bodies are read with non-blocking input ({@link BodyReader}).
 */
public final class SseServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(SseServlet.class);

    private static final long serialVersionUID = 1L;
    private static final List<String> POST_PATHS = List.of("/subscribe", "/unsubscribe", "/publish");

    private final transient Hub hub;
    private final transient Cors cors;
    private final long retryMs;
    private final int maxBodyBytes;
    private final boolean directWrites;

    /**
     * @param hub the hub
     * @param cors the cross-origin rules
     * @param retryMs the reconnection delay sent first on every stream, milliseconds
     * @param maxBodyBytes the largest POST body accepted
     * @param directWrites whether stream bodies go straight to the connection where the container allows it
     */
    public SseServlet(Hub hub, Cors cors, long retryMs, int maxBodyBytes, boolean directWrites) {
        this.hub = hub;
        this.cors = cors;
        this.retryMs = retryMs;
        this.maxBodyBytes = maxBodyBytes;
        this.directWrites = directWrites;
    }

    private ConnectionGateway gateway() {
        return hub.gateway();
    }

    private static String path(HttpServletRequest request) {
        String p = request.getPathInfo();
        return p == null || p.equals("/") ? "" : p;
    }

    /**
     * Serves {@code GET}, {@code POST}, {@code OPTIONS} and {@code HEAD}; any other method ({@code PUT},
     * {@code DELETE}, {@code PATCH}, {@code TRACE} …) is answered 405 with {@code Allow} and a JSON error,
     * where {@link HttpServlet} would answer an HTML page, or for {@code TRACE} echo the request's headers.
     */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        switch (request.getMethod()) {
            case "GET", "POST", "OPTIONS", "HEAD" -> super.service(request, response);
            default -> {
                cors.apply(request, response);
                response.setHeader("Allow", "GET, POST, OPTIONS");
                HttpAnswers.error(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST.name(),
                        request.getMethod() + " is not served here", 0);
            }
        }
    }

    @Override
    protected void doOptions(HttpServletRequest request, HttpServletResponse response) {
        cors.preflight(request, response);
    }

    /** A {@code HEAD} would open a stream with no body to write it to: answered 405. */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        cors.apply(request, response);
        response.setHeader("Allow", "GET, POST, OPTIONS");
        response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        cors.apply(request, response);
        String path = path(request);
        if (!path.isEmpty()) {
            notHere(response, "GET", path);
            return;
        }
        if (!asyncSupported(request, response)) {
            return;
        }
        Map<String, String[]> parameters;
        try {
            parameters = Requests.parameters(request);
        } catch (Requests.BadInput e) {
            HttpAnswers.error(response, ErrorCode.BAD_REQUEST, e.getMessage(), 0);
            return;
        }
        Admission admission = gateway().admit(Requests.handshake(request, parameters), Framing.SSE);
        if (!admission.accepted()) {
            HttpAnswers.refuse(response, admission);
            return;
        }
        InitialSubscription initial;
        try {
            initial = Requests.initial(request, parameters);
        } catch (Requests.BadInput e) {
            HttpAnswers.error(response, ErrorCode.BAD_REQUEST, e.getMessage(), 0);
            return;
        }
        SseTransport transport = new SseTransport(
                ("retry: " + retryMs + "\n\n").getBytes(StandardCharsets.US_ASCII));
        ConnectionHandle handle;
        try {
            handle = gateway().open(admission, transport, initial);
        } catch (ProtocolException e) {
            HttpAnswers.error(response, e.code(), e.getMessage(), 0);
            return;
        } catch (RuntimeException e) {
            // the hub released what it had opened; the client still gets the protocol's JSON answer
            LOG.warn("opening a stream failed", e);
            HttpAnswers.error(response, ErrorCode.INTERNAL, "internal error (logged by the server)", 0);
            return;
        }
        if (transport.closeCode() != 0) {
            closedBeforeStart(request, response, transport);
            return;
        }
        SseTransport.ChunkOutput chunks = directWrites ? chunkOutput(request, response) : null;
        if (chunks != null) {
            // chunked even when the request said Connection: close, so the body's framing is what ChunkOutput writes
            response.setHeader("Transfer-Encoding", "chunked");
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
        try {
            AsyncContext context = request.startAsync();
            context.setTimeout(0);
            context.addListener(transport);
            if (!transport.start(handle, context, response.getOutputStream(), chunks)) {
                closedBeforeStart(request, response, transport);
                context.complete();
            }
        } catch (IOException | RuntimeException e) {
            // the stream never started: release the connection the hub opened for it
            handle.onClosed(CloseReason.INTERNAL_ERROR, "stream-failed");
            throw e;
        }
    }

    /**
     * @return the container's way to write the stream's body past its servlet output, or {@code null}: only
     *     Jetty 12's, whose classes are loaded only when the request is Jetty's
     */
    private static SseTransport.ChunkOutput chunkOutput(HttpServletRequest request, HttpServletResponse response) {
        if (!request.getClass().getName().startsWith(JettyChunkOutput.JETTY_PACKAGE)) {
            return null;
        }
        try {
            return JettyChunkOutput.of(request, response);
        } catch (LinkageError e) {
            // another Jetty version, or its classes not visible to this module: the servlet output works anyway
            LOG.debug("writing SSE bodies through the servlet output: Jetty's classes are not usable", e);
            return null;
        }
    }

    /** The hub closed the connection inside {@code open} (over a connection limit) or right after. */
    private void closedBeforeStart(HttpServletRequest request, HttpServletResponse response, SseTransport transport)
            throws IOException {
        response.reset();
        cors.apply(request, response);
        boolean capacity = transport.closeCode() == CloseReason.TRY_AGAIN_LATER
                && CloseReason.CAPACITY.reason().equals(transport.closeReason());
        HttpAnswers.error(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                capacity ? ErrorCode.LIMIT_EXCEEDED.name() : ErrorCode.INTERNAL.name(),
                "stream closed before it started: " + transport.closeCode() + " " + transport.closeReason(),
                Math.max(retryMs, 1000));
    }

    private static void notHere(HttpServletResponse response, String method, String path) throws IOException {
        if (method.equals("GET") && POST_PATHS.contains(path)) {
            response.setHeader("Allow", "POST, OPTIONS");
            HttpAnswers.error(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST.name(),
                    path + " takes POST", 0);
        } else if (method.equals("POST") && path.isEmpty()) {
            response.setHeader("Allow", "GET, OPTIONS");
            HttpAnswers.error(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST.name(),
                    "the stream takes GET", 0);
        } else {
            HttpAnswers.error(response, ErrorCode.NOT_FOUND, "no endpoint " + method + " " + path, 0);
        }
    }

    /**
     * Streams and request bodies are served asynchronously: a mapping without async support gets a JSON 500
     * naming the problem, not the container's error page.
     *
     * @return whether the request may go on
     */
    private static boolean asyncSupported(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        if (request.isAsyncSupported()) {
            return true;
        }
        LOG.error("the SSE servlet is mapped without async support; streams and requests cannot be served");
        HttpAnswers.error(response, ErrorCode.INTERNAL, "the SSE servlet is not async-enabled", 0);
        return false;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        cors.apply(request, response);
        String path = path(request);
        if (!POST_PATHS.contains(path)) {
            notHere(response, "POST", path);
            return;
        }
        if (!asyncSupported(request, response)) {
            // before any credentials are judged: a refusal here must not count as an attempt
            return;
        }
        String type = request.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            HttpAnswers.error(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, ErrorCode.BAD_REQUEST.name(),
                    "Content-Type must be application/json", 0);
            return;
        }
        if (request.getContentLengthLong() > maxBodyBytes) {
            HttpAnswers.error(response, ErrorCode.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes", 0);
            return;
        }
        boolean publish = path.equals("/publish");
        Handshake caller;
        try {
            caller = Requests.handshake(request, Requests.parameters(request));
        } catch (Requests.BadInput e) {
            HttpAnswers.error(response, ErrorCode.BAD_REQUEST, e.getMessage(), 0);
            return;
        }
        Admission admission = null;
        if (publish) {
            admission = gateway().admitRequest(caller);
            if (!admission.accepted()) {
                HttpAnswers.refuse(response, admission);
                return;
            }
        }
        Admission publisher = admission;
        BodyReader.read(request.startAsync(), response, maxBodyBytes, body -> {
            try {
                if (publish) {
                    publish(publisher, body, response);
                } else {
                    control(caller, Requests.object(body), response, path.equals("/subscribe"));
                }
            } catch (Requests.BadInput e) {
                HttpAnswers.error(response, ErrorCode.BAD_REQUEST, e.getMessage(), 0);
            } catch (RuntimeException e) {
                LOG.warn("{} failed", path, e);
                HttpAnswers.error(response, ErrorCode.INTERNAL, "internal error (logged by the server)", 0);
            }
        });
    }

    private void publish(Admission admission, byte[] body, HttpServletResponse response) throws IOException {
        ServerMessage answer = gateway().publish(admission, body);
        if (answer instanceof ServerMessage.Published p) {
            HttpAnswers.json(response, HttpServletResponse.SC_ACCEPTED, HttpAnswers.JSON.createObjectNode()
                    .put("id", p.id()));
        } else {
            answerError(response, answer);
        }
    }

    private void control(Handshake caller, JsonNode body, HttpServletResponse response, boolean subscribe)
            throws IOException, Requests.BadInput {
        String connectionId = Requests.text(body, "connectionId");
        String token = Requests.text(body, "controlToken");
        List<String> topics = Requests.topics(body);
        Request r;
        if (subscribe) {
            JsonNode filter = body.get("filter");
            if (filter != null && !filter.isNull() && !filter.isObject()) {
                throw new Requests.BadInput("field 'filter' must be a JSON object");
            }
            JsonNode since = body.get("since");
            if (since != null && !since.isNull() && !since.isTextual()) {
                throw new Requests.BadInput("field 'since' must be a string");
            }
            r = new Request.Subscribe(null, topics, filter == null || filter.isNull() ? null : filter,
                    since == null || since.isNull() ? null : since.asText());
        } else {
            r = new Request.Unsubscribe(null, topics);
        }
        ServerMessage answer = gateway().control(caller, connectionId, token, r);
        ObjectNode out = HttpAnswers.JSON.createObjectNode();
        if (answer instanceof ServerMessage.Subscribed s) {
            out.put("type", "subscribed");
            s.topics().forEach(out.putArray("topics")::add);
            if (s.recovered() != null) {
                out.put("recovered", s.recovered());
            }
            HttpAnswers.json(response, HttpServletResponse.SC_OK, out);
        } else if (answer instanceof ServerMessage.Unsubscribed u) {
            out.put("type", "unsubscribed");
            u.topics().forEach(out.putArray("topics")::add);
            HttpAnswers.json(response, HttpServletResponse.SC_OK, out);
        } else {
            answerError(response, answer);
        }
    }

    private static void answerError(HttpServletResponse response, ServerMessage answer) throws IOException {
        if (answer instanceof ServerMessage.Error e) {
            HttpAnswers.error(response, e.code(), e.message(), e.retryAfterMs());
        } else {
            HttpAnswers.error(response, ErrorCode.INTERNAL, "unexpected answer " + answer.getClass().getSimpleName(), 0);
        }
    }
}
