package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.Member;
import io.herald.Principal;
import io.herald.RouteException;
import io.herald.RouteHandler;
import io.herald.spi.AuthenticationException;
import io.herald.spi.OutboundFrame;
import io.herald.spi.ProtocolException;
import io.herald.spi.Replay;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes client requests against the hub. Runs on the thread that delivered the message; each request
 * is all-or-nothing: everything is validated before anything changes, and a failure changes nothing.
 */
final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
    /** The longest message of a route handler's error that reaches the client, in characters. */
    static final int MAX_HANDLER_MESSAGE = 1_024;

    private final HubEngine hub;
    private final HubConfig config;

    RequestHandler(HubEngine hub) {
        this.hub = hub;
        this.config = hub.config;
    }

    void onText(Connection c, String text) {
        if (c.isOpen()) {
            receive(c, utf8Length(text, config.maxFrameBytes()), () -> hub.codec.decode(text));
        }
    }

    /** A text message as its bytes, already checked to be well-formed UTF-8. */
    void onText(Connection c, byte[] utf8) {
        if (c.isOpen()) {
            receive(c, utf8.length, () -> hub.codec.decodeText(utf8));
        }
    }

    void onBinary(Connection c, byte[] bytes) {
        if (c.isOpen()) {
            receive(c, bytes.length, () -> hub.codec.decode(bytes));
        }
    }

    /** Decodes one message; the codec's call, so both message kinds share the checks around it. */
    @FunctionalInterface
    private interface Decoding {
        Request decode() throws ProtocolException;
    }

    private void receive(Connection c, int size, Decoding decoding) {
        c.touch(hub.nanos());
        if (size > config.maxFrameBytes()) {
            if (charged(c, null, new Answers.Queue(hub, c))) {
                tooLarge(c, size);
            }
            return;
        }
        Request r;
        try {
            r = decoding.decode();
        } catch (ProtocolException e) {
            if (charged(c, e.ref(), new Answers.Queue(hub, c))) {
                error(new Answers.Queue(hub, c), e.ref(), e.code(), e.getMessage(), 0);
            }
            return;
        }
        handle(c, r);
    }

    /**
     * Charges a message to the connection's inbound rate: a request, or one that cannot be executed (too
     * large, or not a request), so a client that floods those is answered {@code RATE_LIMITED} and, if it goes
     * on, closed for abuse. Only an executed request counts as the client behaving again.
     *
     * @return whether the message may be executed or answered with its own error; if not, {@code out} got
     *     {@code RATE_LIMITED} (or the connection was closed for abuse)
     */
    private boolean charged(Connection c, String ref, Answers out) {
        long wait = c.inboundBucket().tryAcquire();
        if (wait > 0) {
            rateLimited(c, ref, wait, out);
            return false;
        }
        return true;
    }

    private void tooLarge(Connection c, int size) {
        error(new Answers.Queue(hub, c), null, ErrorCode.TOO_LARGE,
                "message of " + size + " bytes exceeds the limit of " + config.maxFrameBytes() + " bytes", 0);
    }

    void handle(Connection c, Request r) {
        handle(c, r, new Answers.Queue(hub, c));
    }

    /**
     * Executes one request; its answer (or error) goes to {@code out}.
     *
     * @param c the connection
     * @param r the request
     * @param out where the answer goes: the connection's queue, or the caller of a control request
     */
    void handle(Connection c, Request r, Answers out) {
        if (!charged(c, r.ref(), out)) {
            return;
        }
        c.consecutiveRejections = 0;
        if (!c.authenticated() && !(r instanceof Request.Auth) && !(r instanceof Request.Ping)) {
            error(out, r.ref(), ErrorCode.UNAUTHORIZED, "authenticate first with an auth frame", 0);
            return;
        }
        execute(c, r, out);
    }

    /**
     * Executes one request without charging it to the connection's inbound rate: for what the handshake
     * asked (an SSE stream's {@code rooms}), which the handshake rate already paid for.
     *
     * @param c an authenticated connection
     * @param r the request
     * @param out where the answer goes
     */
    void execute(Connection c, Request r, Answers out) {
        try {
            if (r instanceof Request.Subscribe s) {
                hub.subscriptions.subscribe(c, s, out);
            } else if (r instanceof Request.Unsubscribe u) {
                hub.subscriptions.unsubscribe(c, u, out);
            } else if (r instanceof Request.Publish p) {
                publish(c, p, out);
            } else if (r instanceof Request.Join j) {
                try {
                    join(c, j, out);
                } finally {
                    c.events.run();
                }
            } else if (r instanceof Request.Leave l) {
                try {
                    leave(c, l, out);
                } finally {
                    c.events.run();
                }
            } else if (r instanceof Request.Send s) {
                send(c, s, out);
            } else if (r instanceof Request.Ping p) {
                out.answer(new ServerMessage.Pong(p.ref(), config.clock().millis()));
            } else if (r instanceof Request.Auth a) {
                auth(c, a, out);
            }
        } catch (ProtocolException e) {
            error(out, r.ref(), e.code(), e.getMessage(), 0);
        } catch (RuntimeException e) {
            LOG.warn("{} failed on {}", r.type(), c, e);
            hub.listeners.error(c.id(), e);
            error(out, r.ref(), ErrorCode.INTERNAL, "internal error", 0);
        }
    }

    private void rateLimited(Connection c, String ref, long waitNanos, Answers out) {
        hub.metrics.rateLimited.increment();
        if (++c.consecutiveRejections >= config.abuseThreshold()) {
            hub.closeNow(c, CloseReason.ABUSE);
            return;
        }
        error(out, ref, ErrorCode.RATE_LIMITED, retryMessage(waitNanos), retryMillis(waitNanos));
    }

    static long retryMillis(long waitNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
    }

    static String retryMessage(long waitNanos) {
        return "too many requests; retry after " + retryMillis(waitNanos) + " ms";
    }

    private void publish(Connection c, Request.Publish r, Answers out) throws ProtocolException {
        // the topic first: the authorizer is never asked about a topic that cannot be published
        requireTopic(r.topic(), r.ref());
        String problem = r.room() == null ? null : Topics.roomProblem(r.room());
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, r.ref());
        }
        Principal p = c.principal();
        if (r.room() != null) {
            boolean member;
            synchronized (c) {
                member = c.inRoom(r.room());
            }
            if (!member) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "join room '" + r.room() + "' before publishing to it",
                        r.ref());
            }
            if (!hub.authorizer.mayPublishToRoom(p, r.room(), r.topic())) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "may not publish to room '" + r.room() + "'", r.ref());
            }
        }
        long wait = checkPublish(p, r.topic(), r.room() == null, "connection:" + c.id(), r.ref());
        if (wait > 0) {
            rateLimited(c, r.ref(), wait, out);
            return;
        }
        StoredEvent e = r.room() == null ? hub.fanout.publish(r.topic(), r.data(), c.id())
                : hub.fanout.emit(r.room(), r.topic(), r.data(), c.id(), r.echo() ? null : c.id());
        out.answer(new ServerMessage.Published(r.ref(), e.id()));
    }

    /** @throws ProtocolException {@code INVALID_TOPIC} when the topic cannot be published to */
    static void requireTopic(String topic, String ref) throws ProtocolException {
        String problem = Topics.topicProblem(topic);
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, ref);
        }
    }

    /**
     * The checks every client publish passes, over WebSocket or over HTTP: a valid topic, the authorizer's
     * permission (for topic publishes), and the per-user publish rate.
     *
     * @param anonymousKey the rate-limit key when the principal has no user
     * @return 0 when allowed, else nanoseconds until the rate limit allows it
     * @throws ProtocolException for a refusal (the caller has checked the topic: {@link #requireTopic})
     */
    long checkPublish(Principal p, String topic, boolean toTopic, String anonymousKey, String ref)
            throws ProtocolException {
        if (toTopic && !hub.authorizer.mayPublish(p, topic)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "may not publish to '" + topic + "'", ref);
        }
        return hub.publishLimiter.tryAcquire(p.user() != null ? p.user() : anonymousKey);
    }

    private void join(Connection c, Request.Join j, Answers out) throws ProtocolException {
        String problem = Topics.roomProblem(j.room());
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, j.ref());
        }
        if (!hub.authorizer.mayJoin(c.principal(), j.room())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "may not join room '" + j.room() + "'", j.ref());
        }
        if (j.meta() != null) {
            int size = JsonCodec.writeTree(j.meta()).length;
            if (size > config.maxMemberMetaBytes()) {
                throw new ProtocolException(ErrorCode.TOO_LARGE, "meta of " + size + " bytes exceeds the limit of "
                        + config.maxMemberMetaBytes() + " bytes", j.ref());
            }
        }
        Member member = new Member(c.id(), c.user(), j.meta());
        Deliveries d = hub.fanout.deliveries();
        try {
            synchronized (c) {
                if (!c.isOpen()) {
                    return;
                }
                boolean again = c.inRoom(j.room());
                if (again && out.queued()) {
                    hub.fanout.answerMembers(c, j.ref(), j.room(), d);
                } else if (!again) {
                    if (!config.singleRoomPerConnection() && c.roomCount() >= config.maxRoomsPerConnection()) {
                        throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
                                "at most " + config.maxRoomsPerConnection() + " rooms per connection", j.ref());
                    }
                    List<String> previous = config.singleRoomPerConnection() ? c.roomsSnapshot() : List.of();
                    if (hub.fanout.membership(j.room(), new RoomTable.Entry(c, member), null,
                            out.queued() ? new ServerMessage.Joined(j.ref(), j.room(), List.of()) : null, d,
                            config.maxMembersPerRoom()) == null) {
                        // full (membership checks under the lock that adds members): refused, still in its old room
                        throw roomFull(j.room(), j.ref());
                    }
                    // recorded only once joined; nothing reads a connection's rooms without holding its monitor
                    c.addRoom(j.room());
                    c.events.add(() -> hub.listeners.join(j.room(), member));
                    // one room at a time: the old one is left only once the new one is joined
                    for (String old : previous) {
                        c.removeRoom(old);
                        RoomTable.Entry gone = hub.fanout.membership(old, null, c, null, d, 0);
                        if (gone != null) {
                            c.events.add(() -> hub.listeners.leave(old, gone.member()));
                        }
                    }
                }
            }
        } catch (Fanout.AnswerTooLarge e) {
            throw membersTooLarge(j, e);
        } finally {
            hub.fanout.finishMembership(d);
        }
        if (!out.queued()) {
            out.answer(new ServerMessage.Joined(j.ref(), j.room(), hub.rooms.memberList(j.room())));
        }
    }

    /** @return the refusal of a join whose answer, the room's members, this connection's queue cannot hold */
    private ProtocolException membersTooLarge(Request.Join j, Fanout.AnswerTooLarge e) {
        return new ProtocolException(ErrorCode.TOO_LARGE, "the member list of room '" + j.room() + "' ("
                + e.bytes + " bytes) exceeds what this connection's queue can hold ("
                + config.outboundQueueBytes() + " bytes)", j.ref());
    }

    /** @return the refusal of a join to a room that has {@code maxMembersPerRoom} members */
    ProtocolException roomFull(String room, String ref) {
        return new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "room '" + room + "' is full ("
                + config.maxMembersPerRoom() + " members)", ref);
    }

    private void leave(Connection c, Request.Leave l, Answers out) throws ProtocolException {
        String problem = Topics.roomProblem(l.room());
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, l.ref());
        }
        RoomTable.Entry gone;
        Deliveries d = hub.fanout.deliveries();
        try {
            synchronized (c) {
                if (!c.removeRoom(l.room())) {
                    throw new ProtocolException(ErrorCode.NOT_FOUND, "not a member of room '" + l.room() + "'",
                            l.ref());
                }
                gone = hub.fanout.membership(l.room(), null, c,
                        out.queued() ? new ServerMessage.Left(l.ref(), l.room()) : null, d, 0);
                if (gone != null) {
                    c.events.add(() -> hub.listeners.leave(l.room(), gone.member()));
                }
            }
        } finally {
            hub.fanout.finishMembership(d);
        }
        if (!out.queued()) {
            out.answer(new ServerMessage.Left(l.ref(), l.room()));
        }
    }

    private void send(Connection c, Request.Send s, Answers out) throws ProtocolException {
        RouteHandler handler = config.routes().get(s.route());
        if (handler == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no route '" + cut(s.route(), 64) + "'", s.ref());
        }
        Object result;
        try {
            result = handler.handle(new RouteHandler.RouteRequest(c.id(), c.principal(), s.route(), s.data(), hub));
        } catch (RouteException e) {
            // retryAfterMs is positive with RATE_LIMITED and 0 with any other code
            error(out, s.ref(), e.code(), cut(e.getMessage(), MAX_HANDLER_MESSAGE), e.retryAfterMs());
            return;
        } catch (Exception e) {
            hub.listeners.error(c.id(), e);
            String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new ProtocolException(ErrorCode.HANDLER_ERROR, cut(msg, MAX_HANDLER_MESSAGE), s.ref());
        }
        JsonNode data;
        try {
            data = hub.mapper.valueToTree(result);
        } catch (IllegalArgumentException e) {
            hub.listeners.error(c.id(), e);
            throw new ProtocolException(ErrorCode.HANDLER_ERROR, "the route's reply cannot be serialized", s.ref());
        }
        ServerMessage.Reply reply = new ServerMessage.Reply(s.ref(), data);
        if (!out.queued()) {
            out.answer(reply);
            return;
        }
        OutboundFrame frame = Frames.encode(hub.codec, reply, c.framing());
        if (frame != null && !c.outbound.canEverHold(frame)) {
            // offered, it would be refused, and a queue that refused a frame refuses every later one: the
            // connection would end as a slow consumer for a reply no client could ever receive
            throw new ProtocolException(ErrorCode.TOO_LARGE, "the route's reply of " + frame.length()
                    + " bytes exceeds the connection's outbound limit of " + config.outboundQueueBytes() + " bytes",
                    s.ref());
        }
        hub.reply(c, frame);
    }

    private void auth(Connection c, Request.Auth a, Answers out) throws ProtocolException {
        if (config.authFrameDeadline().isZero()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "this server authenticates at the handshake; auth frames are not enabled", a.ref());
        }
        if (c.authenticated()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "already authenticated", a.ref());
        }
        Principal p;
        try {
            p = config.authenticator().authenticate(a.token(), c.handshake());
        } catch (AuthenticationException e) {
            error(out, a.ref(), ErrorCode.UNAUTHORIZED, e.getMessage(), 0);
            hub.closeAfterFlush(c, CloseReason.UNAUTHORIZED);
            return;
        }
        if (p == null || p.isAnonymous()) {
            error(out, a.ref(), ErrorCode.UNAUTHORIZED, "credentials were not accepted", 0);
            hub.closeAfterFlush(c, CloseReason.UNAUTHORIZED);
            return;
        }
        ConnectionRegistry.Filing filing = hub.registry.addUser(c, p.user());
        if (filing == ConnectionRegistry.Filing.OVER_LIMIT) {
            error(out, a.ref(), ErrorCode.LIMIT_EXCEEDED, "too many connections for user " + p.user(), 0);
            hub.closeAfterFlush(c, CloseReason.CAPACITY);
            return;
        }
        if (filing == ConnectionRegistry.Filing.CLOSED) {
            // closed while the authenticator ran (its deadline, or the client went away): nothing to answer
            return;
        }
        c.authenticate(p);
        out.answer(new ServerMessage.Authenticated(a.ref(), p.user()));
    }

    void error(Answers out, String ref, ErrorCode code, String message, long retryAfterMs) {
        hub.metrics.errors.increment();
        out.answer(new ServerMessage.Error(ref, code, message, retryAfterMs));
    }

    /**
     * @return {@code s} cut to {@code max} characters, the last three {@code ...}, never half a surrogate pair:
     *     a route's name in a message, or a handler's message (an exception carrying a whole response body
     *     must not make an error frame the queue refuses)
     */
    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 3;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }

    /** @return the UTF-8 length of {@code s}, or any value above {@code max} once it is certainly above */
    static int utf8Length(String s, int max) {
        int n = s.length();
        if (n > max) {
            return n;
        }
        if ((long) n * 3 <= max) {
            return n;
        }
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
