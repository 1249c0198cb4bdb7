package io.herald.internal;

import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.ErrorCode;
import io.herald.Principal;
import io.herald.spi.Admission;
import io.herald.spi.AuthenticationException;
import io.herald.spi.ConnectionGateway;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.spi.OutboundFrame;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.Transport;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Admits handshakes and opens connections for transport adapters. */
final class Gateway implements ConnectionGateway {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    static final String PROTOCOL = "herald.v1";
    /** How long an HTTP caller refused during a shutdown is told to wait, as a refused stream is. */
    private static final long SHUTDOWN_RETRY_MS = 1000;
    private static final String SHUTTING_DOWN = "the server is shutting down";

    private final HubEngine hub;
    private final HubConfig config;
    private final KeyedRateLimiter handshakeLimiter;
    private final SecureRandom random = new SecureRandom();
    private final String idPrefix;
    private final AtomicLong sequence = new AtomicLong();

    Gateway(HubEngine hub, KeyedRateLimiter handshakeLimiter) {
        this.hub = hub;
        this.config = hub.config;
        this.handshakeLimiter = handshakeLimiter;
        byte[] prefix = new byte[6];
        random.nextBytes(prefix);
        this.idPrefix = Base64.getUrlEncoder().withoutPadding().encodeToString(prefix);
    }

    @Override
    public Admission admit(Handshake h) {
        return admit(h, Framing.WEBSOCKET);
    }

    @Override
    public Admission admit(Handshake h, Framing framing) {
        if (hub.isClosed()) {
            return shuttingDown(h);
        }
        Admission limited = chargeAttempt(h);
        if (limited != null) {
            return limited;
        }
        Admission a = judge(h, framing);
        if (a.accepted() && batchMs(h) < 0) {
            // judged after the credentials, as a stream's other parameters are (its filter, its topics)
            return Admission.reject(400, CloseReason.POLICY_VIOLATION, "bad-request", "query parameter 'batch' must"
                    + " be a whole number of milliseconds, 0 or more, was '" + h.queryParameter("batch").orElse("")
                    + "'", 0, h);
        }
        return a;
    }

    @Override
    public Admission admitRequest(Handshake h) {
        // refused credentials cost what a connection attempt does, so guessing them is no cheaper here; and
        // an address out of attempts is refused before its credentials are judged, so that a right guess
        // cannot be told from a wrong one by the answer
        Admission refused = refuseCaller(h);
        if (refused != null) {
            return refused;
        }
        Admission a = judge(h, Framing.SSE);
        if (a.httpStatus() == 401) {
            // charged even past empty: guesses judged at the same moment all count
            handshakeLimiter.charge(Addresses.limitKey(h.remoteAddress()));
        }
        return a;
    }

    /**
     * What refuses an HTTP caller (a publish or a control request) before anything it sent is judged, and
     * charges it nothing: the hub shutting down, or its address out of attempts.
     *
     * @return the refusal, else {@code null}
     */
    private Admission refuseCaller(Handshake h) {
        if (hub.isClosed()) {
            return shuttingDown(h);
        }
        long wait = handshakeLimiter.waitFor(Addresses.limitKey(h.remoteAddress()));
        return wait > 0 ? tooManyAttempts(wait, h) : null;
    }

    private static Admission shuttingDown(Handshake h) {
        return Admission.reject(503, CloseReason.GOING_AWAY, CloseReason.SHUTDOWN.reason(), SHUTTING_DOWN, 0, h);
    }

    /** @return the refusal when the address made too many attempts, else {@code null} (one attempt counted) */
    private Admission chargeAttempt(Handshake h) {
        long wait = handshakeLimiter.tryAcquire(Addresses.limitKey(h.remoteAddress()));
        return wait <= 0 ? null : tooManyAttempts(wait, h);
    }

    private Admission tooManyAttempts(long wait, Handshake h) {
        hub.metrics.rateLimited.increment();
        long ms = RequestHandler.retryMillis(wait);
        return Admission.reject(429, CloseReason.TRY_AGAIN_LATER, "rate-limited",
                "too many connection attempts; retry after " + ms + " ms", ms, h);
    }

    /** The Origin allow-list and the credentials. */
    private Admission judge(Handshake h, Framing framing) {
        Admission refused = forbiddenOrigin(h);
        if (refused != null) {
            return refused;
        }
        String token = token(h);
        if (token == null && framing == Framing.WEBSOCKET && !config.authFrameDeadline().isZero()) {
            return Admission.acceptUntilAuth(h);
        }
        try {
            Principal p = config.authenticator().authenticate(token, h);
            if (p == null) {
                return unauthorized("credentials were not accepted", h);
            }
            return Admission.accept(p, h);
        } catch (AuthenticationException e) {
            return unauthorized(e.getMessage(), h);
        } catch (RuntimeException e) {
            LOG.error("authenticator failed for {}", h, e);
            hub.listeners.error(null, e);
            return Admission.reject(500, CloseReason.INTERNAL_ERROR, "internal", "authentication failed", 0, h);
        }
    }

    /**
     * @return the refusal of an Origin the allow-list does not hold, or, when there is an allow-list, of a
     *     request a browser says another origin started without sending an Origin, else {@code null}
     */
    private Admission forbiddenOrigin(Handshake h) {
        Optional<String> origin = h.origin();
        if (origin.isPresent() && !allowsOrigin(origin.get())) {
            return Admission.reject(403, CloseReason.POLICY_VIOLATION, "forbidden-origin",
                    "origin " + origin.get() + " is not allowed", 0, h);
        }
        // A GET that another origin starts by a link or an image sends no Origin, but does carry the browser's
        // cookies (every one from a sibling subdomain, which is the same site): with cookie authentication it
        // would open a stream, and join its rooms, as the user. Browsers omit Origin on a GET only when the
        // page is of the same origin (same-origin) or no page started it (none); services send no
        // Sec-Fetch-Site and still pass.
        Optional<String> site = origin.isEmpty() && !config.allowedOrigins().isEmpty()
                ? h.header("Sec-Fetch-Site") : Optional.empty();
        if (site.isPresent() && !site.get().equalsIgnoreCase("same-origin") && !site.get().equalsIgnoreCase("none")) {
            return Admission.reject(403, CloseReason.POLICY_VIOLATION, "forbidden-origin",
                    "a request another origin started (Sec-Fetch-Site: " + site.get()
                            + ") must send an allowed Origin", 0, h);
        }
        return null;
    }

    @Override
    public boolean allowsOrigin(String origin) {
        return origin == null || config.allowedOrigins().isEmpty() || config.allowedOrigins().contains(origin);
    }

    private static Admission unauthorized(String message, Handshake h) {
        return Admission.reject(401, CloseReason.POLICY_VIOLATION, "unauthorized",
                message == null ? "unauthorized" : message, 0, h);
    }

    private String token(Handshake h) {
        Optional<String> t = h.bearerToken();
        if (t.isEmpty()) {
            t = h.queryParameter("token").filter(v -> !v.isEmpty());
        }
        if (t.isEmpty() && config.tokenCookie() != null) {
            t = h.cookie(config.tokenCookie()).filter(v -> !v.isEmpty());
        }
        return t.orElse(null);
    }

    @Override
    public ConnectionHandle open(Admission admission, Transport transport) {
        return openChecked(admission, transport, null, null);
    }

    @Override
    public ConnectionHandle open(Admission admission, Transport transport, InitialSubscription initial)
            throws ProtocolException {
        if (admission == null || !admission.accepted()) {
            throw new IllegalArgumentException("open needs an accepted admission, got " + admission);
        }
        if (initial == null || (initial.topics().isEmpty() && initial.rooms().isEmpty())) {
            return openChecked(admission, transport, null, null);
        }
        if (admission.awaitingAuth()) {
            requireAuthFrames(admission, transport);
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "authenticate before subscribing or joining", null);
        }
        Principal p = admission.principal();
        List<String> patterns = initial.topics().isEmpty() ? List.of()
                : hub.subscriptions.check(p, initial.topics(), null);
        Filter filter = SubscriptionRequests.filter(initial.filter(), null);
        List<String> rooms = new ArrayList<>(new LinkedHashSet<>(initial.rooms()));
        int maxRooms = config.singleRoomPerConnection() ? 1 : config.maxRoomsPerConnection();
        if (rooms.size() > maxRooms) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "at most " + maxRooms + " rooms per connection",
                    null);
        }
        for (String room : rooms) {
            String problem = Topics.roomProblem(room);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, null);
            }
            if (!hub.authorizer.mayJoin(p, room)) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "may not join room '" + room + "'", null);
            }
            if (hub.rooms.members(room).length >= config.maxMembersPerRoom()) {
                // refused before the stream starts, so it is a status, not an error event inside a stream
                throw hub.requests.roomFull(room, null);
            }
        }
        return openChecked(admission, transport, new Initial(patterns, filter, initial.since()), rooms);
    }

    /** Refuses to open, for an admission that awaits an {@code auth} frame, a transport that cannot send one. */
    private static void requireAuthFrames(Admission admission, Transport transport) {
        if (transport.framing() != Framing.WEBSOCKET) {
            throw new IllegalArgumentException("a " + transport.framing() + " connection cannot send an auth frame;"
                    + " judge its handshake with admit(handshake, Framing." + transport.framing() + "), not "
                    + admission);
        }
    }

    /** A checked initial subscription. */
    private record Initial(List<String> patterns, Filter filter, String since) {
    }

    private ConnectionHandle openChecked(Admission admission, Transport transport, Initial initial,
            List<String> rooms) {
        if (admission == null || !admission.accepted()) {
            throw new IllegalArgumentException("open needs an accepted admission, got " + admission);
        }
        boolean pending = admission.awaitingAuth();
        if (pending) {
            requireAuthFrames(admission, transport);
        }
        if (hub.isClosed()) {
            transport.close(CloseReason.SHUTDOWN.code(), CloseReason.SHUTDOWN.reason());
            return new Handle(null);
        }
        Handshake h = admission.handshake();
        String id = idPrefix + Long.toString(sequence.incrementAndGet(), 36);
        String controlToken = transport.framing() == Framing.SSE ? newSecret() : null;
        // admit refuses an invalid one: only an admission made without it may carry one, and gets no batching
        int batch = Math.max(0, batchMs(h));
        Connection c = new Connection(id, transport, h, admission.principal(), !pending, config.clock().millis(),
                hub.nanos(), controlToken, new TokenBucket(config.inboundRate(), hub.nanoClock), batch,
                conn -> new Outbound(conn, transport, config.outboundQueueFrames(), config.outboundQueueBytes(),
                        config.slowConsumerPolicy(), new Handle(conn), batch, hub.scheduler,
                        batch > 0 && transport.framing() == Framing.WEBSOCKET ? hub.codec::encodeBatch : null));
        String refused = hub.registry.tryAdd(c);
        if (refused != null) {
            LOG.debug("refusing {}: {}", h, refused);
            c.beginClose(CloseReason.CAPACITY, false);
            transport.close(CloseReason.CAPACITY.code(), CloseReason.CAPACITY.reason());
            return new Handle(null);
        }
        if (hub.isClosed()) {
            // the hub began closing after the check above, and its list of connections may have missed this one
            hub.closeNow(c, CloseReason.SHUTDOWN);
            return new Handle(null);
        }
        try {
            return start(c, initial, rooms, pending);
        } catch (RuntimeException | Error e) {
            // the transport gets no handle to report its close with: release the connection here
            hub.closeNow(c, CloseReason.INTERNAL);
            throw e;
        } finally {
            ConnectionInfo info = c.info();
            c.events.opened(() -> hub.listeners.connected(info));
        }
    }

    /** Sends {@code connected}, subscribes and joins as asked, and arms the auth deadline. */
    private Handle start(Connection c, Initial initial, List<String> rooms, boolean pending) {
        Answers queue = new Answers.Queue(hub, c);
        if (initial == null || initial.patterns().isEmpty()) {
            queue.answer(connected(c, null));
        } else {
            try {
                hub.subscriptions.subscribe(c, initial.patterns(), initial.filter(), initial.since(), null,
                        replay -> connected(c, replay == null ? null : replay.recovered()), queue);
            } catch (ProtocolException e) {
                throw new IllegalStateException("checked subscription refused: " + e.getMessage(), e);
            }
        }
        c.started = true;
        if (rooms != null) {
            // part of the handshake, which its rate paid for: not charged to the inbound rate, so every room
            // asked is joined however small the burst. A room that filled since the check above, or whose
            // member list the stream's queue could never hold, is refused with an error event on the stream
            // that names the room, since the join has no ref to answer with.
            for (String room : rooms) {
                hub.requests.execute(c, new Request.Join(null, room, null), queue.aboutRoom(room));
            }
        }
        if (pending) {
            // cancelled when the connection authenticates or is released, so it does not hold the connection
            // (and its handshake) until the deadline
            c.keepAuthDeadline(hub.scheduler.schedule(() -> {
                if (!c.authenticated() && c.isOpen()) {
                    hub.closeNow(c, CloseReason.UNAUTHORIZED);
                }
            }, config.authFrameDeadline().toMillis(), TimeUnit.MILLISECONDS));
        }
        return (Handle) c.outbound.listener();
    }

    private ServerMessage connected(Connection c, Boolean recovered) {
        return new ServerMessage.Connected(c.id(), PROTOCOL, config.heartbeat().toMillis(), config.node(), c.user(),
                c.controlToken(), recovered);
    }

    @Override
    public ServerMessage control(String connectionId, String controlToken, Request request) {
        if (hub.isClosed()) {
            return shutdownError(request.ref());
        }
        Connection c = connectionId == null ? null : hub.registry.get(connectionId);
        ServerMessage.Error refused = refuseControl(c, connectionId, controlToken, request.ref());
        return duringShutdown(refused != null ? refused : execute(c, request), request.ref());
    }

    @Override
    public ServerMessage control(Handshake caller, String connectionId, String controlToken, Request request) {
        // judged like the credentials of an HTTP publish (admitRequest): an address out of attempts is refused
        // before the token is judged, so a right guess is answered like a wrong one, and a refusal counts;
        // during a shutdown every connection is going, and asking costs nothing
        Admission early = refuseCaller(caller);
        if (early != null) {
            return early.httpStatus() == 429
                    ? new ServerMessage.Error(request.ref(), ErrorCode.RATE_LIMITED, early.message(),
                            early.retryAfterMs())
                    : shutdownError(request.ref());
        }
        Admission origin = forbiddenOrigin(caller);
        if (origin != null) {
            return new ServerMessage.Error(request.ref(), ErrorCode.FORBIDDEN, origin.message(), 0);
        }
        Connection c = connectionId == null ? null : hub.registry.get(connectionId);
        ServerMessage.Error refused = refuseControl(c, connectionId, controlToken, request.ref());
        if (refused != null) {
            if (refused.code() == ErrorCode.NOT_FOUND && hub.isClosed()) {
                // the shutdown, begun since the first check, removed the connection: nothing to charge
                return shutdownError(request.ref());
            }
            // charged even past empty: guesses judged at the same moment all count
            handshakeLimiter.charge(Addresses.limitKey(caller.remoteAddress()));
            return refused;
        }
        return duringShutdown(execute(c, request), request.ref());
    }

    /**
     * A connection that was not found, or closed while its request ran, because the hub began to shut down
     * after the first check is the shutdown's doing, not the caller's: it is answered as one.
     */
    private ServerMessage duringShutdown(ServerMessage answer, String ref) {
        return answer instanceof ServerMessage.Error e && e.code() == ErrorCode.NOT_FOUND && hub.isClosed()
                ? shutdownError(ref) : answer;
    }

    /**
     * The answer to a control request during a shutdown: {@code INTERNAL}, nothing the caller did, with a retry
     * delay (an HTTP adapter answers 503 with {@code Retry-After}, as it refuses a stream or a publish then).
     */
    private static ServerMessage.Error shutdownError(String ref) {
        // worded as a refused stream's or publish's body is (HttpAnswers.refuse): the reason word, then why
        return new ServerMessage.Error(ref, ErrorCode.INTERNAL, CloseReason.SHUTDOWN.reason() + ": " + SHUTTING_DOWN,
                SHUTDOWN_RETRY_MS);
    }

    /**
     * @param c the connection the id names, or {@code null}
     * @return {@code NOT_FOUND} for no open connection, {@code FORBIDDEN} for a wrong token, else {@code null}
     */
    private static ServerMessage.Error refuseControl(Connection c, String connectionId, String controlToken,
            String ref) {
        if (c == null || !c.isOpen()) {
            return new ServerMessage.Error(ref, ErrorCode.NOT_FOUND, "no open connection '" + connectionId + "'", 0);
        }
        if (c.controlToken() == null || controlToken == null || !MessageDigest.isEqual(
                c.controlToken().getBytes(StandardCharsets.UTF_8), controlToken.getBytes(StandardCharsets.UTF_8))) {
            return new ServerMessage.Error(ref, ErrorCode.FORBIDDEN, "wrong control token", 0);
        }
        return null;
    }

    /** Executes a control request whose caller proved it owns the connection. */
    private ServerMessage execute(Connection c, Request request) {
        Answers.Capture answer = new Answers.Capture();
        synchronized (c.requestLock) {
            hub.requests.handle(c, request, answer);
        }
        return answer.answer() != null ? answer.answer()
                : new ServerMessage.Error(request.ref(), ErrorCode.NOT_FOUND, "the connection closed", 0);
    }

    @Override
    public ServerMessage publish(Admission admission, byte[] body) {
        if (admission == null || !admission.accepted()) {
            throw new IllegalArgumentException("publish needs an accepted admission, got " + admission);
        }
        if (admission.awaitingAuth()) {
            return new ServerMessage.Error(null, ErrorCode.UNAUTHORIZED, "credentials are required to publish", 0);
        }
        if (hub.isClosed()) {
            // admitted before the shutdown began, its body read since: no connection is left to receive it
            return shutdownError(null);
        }
        try {
            Request.Publish request = JsonCodec.decodePublishBody(body);
            String topic = request.topic();
            byte[] json = request.data();
            if (json.length > config.maxFrameBytes()) {
                return new ServerMessage.Error(null, ErrorCode.TOO_LARGE, "data of " + json.length
                        + " bytes exceeds the limit of " + config.maxFrameBytes() + " bytes", 0);
            }
            RequestHandler.requireTopic(topic, null);
            long wait = hub.requests.checkPublish(admission.principal(), topic, true,
                    "address:" + Addresses.limitKey(admission.handshake().remoteAddress()), null);
            if (wait > 0) {
                hub.metrics.rateLimited.increment();
                return new ServerMessage.Error(null, ErrorCode.RATE_LIMITED, RequestHandler.retryMessage(wait),
                        RequestHandler.retryMillis(wait));
            }
            return new ServerMessage.Published(null, hub.fanout.publish(topic, json, null).id());
        } catch (ProtocolException e) {
            return new ServerMessage.Error(null, e.code(), e.getMessage(), 0);
        }
    }

    /**
     * @return the batching window the handshake asks for, milliseconds, at most {@code maxBatchMs}; 0 for none
     *     (no {@code batch} parameter, or an empty one); -1 when it is not a whole number of 0 or more
     */
    private int batchMs(Handshake h) {
        String v = h.queryParameter("batch").map(String::trim).orElse("");
        if (v.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return -1;
            }
        }
        // leading zeros, or more digits than an int holds (more than any window allowed), are read as written
        return new BigInteger(v).min(BigInteger.valueOf(config.maxBatchMs())).intValue();
    }

    private String newSecret() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * The transport's way in, and the outbound queue's way back to the hub (one object for both, since every
     * connection has one of each); a handle without a connection (refused) ignores everything.
     */
    private final class Handle implements ConnectionHandle, Outbound.Listener {
        private final Connection c;

        Handle(Connection c) {
            this.c = c;
        }

        @Override
        public String connectionId() {
            return c == null ? "" : c.id();
        }

        @Override
        public void onText(String message) {
            if (c != null) {
                hub.requests.onText(c, message);
            }
        }

        @Override
        public boolean onText(byte[] utf8) {
            if (!Utf8.isValid(utf8)) {
                return false;
            }
            if (c != null) {
                hub.requests.onText(c, utf8);
            }
            return true;
        }

        @Override
        public void onBinary(byte[] message) {
            if (c != null) {
                hub.requests.onBinary(c, message);
            }
        }

        @Override
        public void holdWrites() {
            if (c != null) {
                c.outbound.hold();
            }
        }

        @Override
        public void flushWrites() {
            if (c != null) {
                c.outbound.endHold();
            }
        }

        @Override
        public void onActivity() {
            if (c != null) {
                c.touch(hub.nanos());
            }
        }

        @Override
        public void onClosed(int code, String reason) {
            if (c != null) {
                hub.transportClosed(c, new CloseReason(code < 1000 || code > 4999 ? CloseReason.NORMAL : code,
                        reason == null ? "" : reason));
            }
        }

        @Override
        public void dropped(int frames) {
            hub.metrics.dropped.add(frames);
        }

        @Override
        public OutboundFrame lastFrame() {
            return hub.lastFrame(c);
        }

        @Override
        public void drained() {
            hub.drained(c);
        }

        @Override
        public void failed(Throwable cause) {
            LOG.debug("send to {} failed", c, cause);
            hub.transportClosed(c, new CloseReason(CloseReason.NORMAL, "write-failed"));
        }
    }
}
