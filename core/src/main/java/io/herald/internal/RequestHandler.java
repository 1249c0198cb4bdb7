package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.Member;
import io.herald.Principal;
import io.herald.RouteException;
import io.herald.RouteHandler;
import io.herald.spi.AuthenticationException;
import io.herald.spi.ProtocolException;
import io.herald.spi.Replay;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
            tooLarge(c, size);
            return;
        }
        Request r;
        try {
            r = decoding.decode();
        } catch (ProtocolException e) {
            error(c, e.ref(), e.code(), e.getMessage(), 0);
            return;
        }
        handle(c, r);
    }

    private void tooLarge(Connection c, int size) {
        error(c, null, ErrorCode.TOO_LARGE,
                "message of " + size + " bytes exceeds the limit of " + config.maxFrameBytes() + " bytes", 0);
    }

    void handle(Connection c, Request r) {
        long wait = c.inboundBucket().tryAcquire();
        if (wait > 0) {
            rateLimited(c, r.ref(), wait);
            return;
        }
        c.consecutiveRejections = 0;
        if (!c.authenticated() && !(r instanceof Request.Auth) && !(r instanceof Request.Ping)) {
            error(c, r.ref(), ErrorCode.UNAUTHORIZED, "authenticate first with an auth frame", 0);
            return;
        }
        try {
            if (r instanceof Request.Subscribe s) {
                subscribe(c, s);
            } else if (r instanceof Request.Unsubscribe u) {
                unsubscribe(c, u);
            } else if (r instanceof Request.Publish p) {
                publish(c, p);
            } else if (r instanceof Request.Join j) {
                join(c, j);
            } else if (r instanceof Request.Leave l) {
                leave(c, l);
            } else if (r instanceof Request.Send s) {
                send(c, s);
            } else if (r instanceof Request.Ping p) {
                hub.reply(c, new ServerMessage.Pong(p.ref(), config.clock().millis()));
            } else if (r instanceof Request.Auth a) {
                auth(c, a);
            }
        } catch (ProtocolException e) {
            error(c, r.ref(), e.code(), e.getMessage(), 0);
        } catch (RuntimeException e) {
            LOG.warn("{} failed on {}", r.type(), c, e);
            hub.listeners.error(c.id(), e);
            error(c, r.ref(), ErrorCode.INTERNAL, "internal error", 0);
        }
    }

    private void rateLimited(Connection c, String ref, long waitNanos) {
        hub.metrics.rateLimited.increment();
        if (++c.consecutiveRejections >= config.abuseThreshold()) {
            hub.closeNow(c, CloseReason.ABUSE);
            return;
        }
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
        error(c, ref, ErrorCode.RATE_LIMITED, "too many requests; retry after " + ms + " ms", ms);
    }

    private void subscribe(Connection c, Request.Subscribe s) throws ProtocolException {
        List<String> patterns = new ArrayList<>(new LinkedHashSet<>(s.topics()));
        if (patterns.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'topics' must not be empty", s.ref());
        }
        Principal p = c.principal();
        for (String pattern : patterns) {
            String problem = Topics.patternProblem(pattern);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, s.ref());
            }
            boolean allowed = hub.authorizer.maySubscribe(p, pattern)
                    && (Topics.hasWildcard(pattern) || hub.authorizer.mayReceive(p, pattern));
            if (!allowed) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "may not subscribe to '" + pattern + "'", s.ref());
            }
        }
        Filter filter = s.filter() == null ? null : Filter.compile(s.filter());
        List<String> others;
        synchronized (c) {
            if (!c.isOpen()) {
                return;
            }
            long added = patterns.stream().filter(x -> !c.subscriptions.containsKey(x)).count();
            if (c.subscriptions.size() + added > config.maxSubscriptionsPerConnection()) {
                throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "at most "
                        + config.maxSubscriptionsPerConnection() + " subscriptions per connection", s.ref());
            }
            others = new ArrayList<>(c.subscriptions.keySet());
            others.removeAll(patterns);
            hub.fanout.hold(c);
            for (String pattern : patterns) {
                Subscription sub = new Subscription(c, pattern, filter);
                Subscription old = c.subscriptions.put(pattern, sub);
                hub.index.add(pattern, sub);
                if (old != null) {
                    hub.index.remove(pattern, old);
                } else {
                    hub.metrics.subscriptionCount.increment();
                }
            }
        }
        Replay replay = s.since() == null ? null : readHistory(c, s.since(), patterns, others, filter);
        hub.fanout.release(c, new ServerMessage.Subscribed(s.ref(), patterns,
                replay == null ? null : replay.recovered()), replay);
    }

    private Replay readHistory(Connection c, String since, List<String> patterns, List<String> others,
            Filter filter) {
        Principal p = c.principal();
        try {
            return hub.history.readAfter(since, e -> e.isTopicEvent() && matchesAny(patterns, e.topic())
                    && !matchesAny(others, e.topic()) && (filter == null || filter.test(JsonCodec.readTree(e.data())))
                    && hub.authorizer.mayReceive(p, e.topic()), config.maxReplay());
        } catch (RuntimeException e) {
            LOG.warn("history read after {} failed for {}; answering recovered=false", since, c, e);
            return new Replay(false, List.of());
        }
    }

    private static boolean matchesAny(List<String> patterns, String topic) {
        for (String pattern : patterns) {
            if (Topics.matches(pattern, topic)) {
                return true;
            }
        }
        return false;
    }

    private void unsubscribe(Connection c, Request.Unsubscribe u) throws ProtocolException {
        List<String> patterns = new ArrayList<>(new LinkedHashSet<>(u.topics()));
        for (String pattern : patterns) {
            String problem = Topics.patternProblem(pattern);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, u.ref());
            }
        }
        synchronized (c) {
            for (String pattern : patterns) {
                Subscription sub = c.subscriptions.remove(pattern);
                if (sub != null) {
                    hub.index.remove(pattern, sub);
                    hub.metrics.subscriptionCount.decrement();
                }
            }
        }
        hub.reply(c, new ServerMessage.Unsubscribed(u.ref(), patterns));
    }

    private void publish(Connection c, Request.Publish r) throws ProtocolException {
        String problem = Topics.topicProblem(r.topic());
        if (problem == null && r.room() != null) {
            problem = Topics.roomProblem(r.room());
        }
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, r.ref());
        }
        Principal p = c.principal();
        if (r.room() == null) {
            if (!hub.authorizer.mayPublish(p, r.topic())) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "may not publish to '" + r.topic() + "'", r.ref());
            }
        } else {
            boolean member;
            synchronized (c) {
                member = c.rooms.contains(r.room());
            }
            if (!member) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "join room '" + r.room() + "' before publishing to it",
                        r.ref());
            }
            if (!hub.authorizer.mayPublishToRoom(p, r.room(), r.topic())) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "may not publish to room '" + r.room() + "'", r.ref());
            }
        }
        long wait = hub.publishLimiter.tryAcquire(p.user() != null ? p.user() : "connection:" + c.id());
        if (wait > 0) {
            rateLimited(c, r.ref(), wait);
            return;
        }
        byte[] data = JsonCodec.writeTree(r.data());
        StoredEvent e = r.room() == null ? hub.fanout.publish(r.topic(), data, c.id())
                : hub.fanout.emit(r.room(), r.topic(), data, c.id(), r.echo() ? null : c.id());
        hub.reply(c, new ServerMessage.Published(r.ref(), e.id()));
    }

    private void join(Connection c, Request.Join j) throws ProtocolException {
        String problem = Topics.roomProblem(j.room());
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, j.ref());
        }
        if (!hub.authorizer.mayJoin(c.principal(), j.room())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "may not join room '" + j.room() + "'", j.ref());
        }
        Member member = new Member(c.id(), c.user(), j.meta());
        List<RoomTable.Entry> left = new ArrayList<>();
        List<String> leftRooms = new ArrayList<>();
        Deliveries d = Deliveries.acquire();
        boolean again = false;
        try {
            synchronized (c) {
                if (!c.isOpen()) {
                    return;
                }
                again = c.rooms.contains(j.room());
                if (!again) {
                    if (!config.singleRoomPerConnection() && c.rooms.size() >= config.maxRoomsPerConnection()) {
                        throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
                                "at most " + config.maxRoomsPerConnection() + " rooms per connection", j.ref());
                    }
                    if (hub.rooms.members(j.room()).length >= config.maxMembersPerRoom()) {
                        throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "room '" + j.room() + "' is full ("
                                + config.maxMembersPerRoom() + " members)", j.ref());
                    }
                    if (config.singleRoomPerConnection()) {
                        for (String old : List.copyOf(c.rooms)) {
                            c.rooms.remove(old);
                            RoomTable.Entry gone = hub.fanout.membership(old, null, c, null, d);
                            if (gone != null) {
                                left.add(gone);
                                leftRooms.add(old);
                            }
                        }
                    }
                    c.rooms.add(j.room());
                    hub.fanout.membership(j.room(), new RoomTable.Entry(c, member), null,
                            new ServerMessage.Joined(j.ref(), j.room(), List.of()), d);
                }
            }
        } finally {
            hub.fanout.finishMembership(d);
        }
        if (again) {
            hub.reply(c, new ServerMessage.Joined(j.ref(), j.room(), hub.rooms.memberList(j.room())));
            return;
        }
        for (int i = 0; i < left.size(); i++) {
            hub.listeners.leave(leftRooms.get(i), left.get(i).member());
        }
        hub.listeners.join(j.room(), member);
    }

    private void leave(Connection c, Request.Leave l) throws ProtocolException {
        String problem = Topics.roomProblem(l.room());
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, l.ref());
        }
        RoomTable.Entry gone;
        Deliveries d = Deliveries.acquire();
        try {
            synchronized (c) {
                if (!c.rooms.remove(l.room())) {
                    throw new ProtocolException(ErrorCode.NOT_FOUND, "not a member of room '" + l.room() + "'",
                            l.ref());
                }
                gone = hub.fanout.membership(l.room(), null, c, new ServerMessage.Left(l.ref(), l.room()), d);
            }
        } finally {
            hub.fanout.finishMembership(d);
        }
        if (gone != null) {
            hub.listeners.leave(l.room(), gone.member());
        }
    }

    private void send(Connection c, Request.Send s) throws ProtocolException {
        RouteHandler handler = config.routes().get(s.route());
        if (handler == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no route '" + shorten(s.route()) + "'", s.ref());
        }
        Object result;
        try {
            result = handler.handle(new RouteHandler.RouteRequest(c.id(), c.principal(), s.route(), s.data(), hub));
        } catch (RouteException e) {
            throw new ProtocolException(e.code(), String.valueOf(e.getMessage()), s.ref());
        } catch (Exception e) {
            hub.listeners.error(c.id(), e);
            String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new ProtocolException(ErrorCode.HANDLER_ERROR, msg, s.ref());
        }
        JsonNode data;
        try {
            data = hub.mapper.valueToTree(result);
        } catch (IllegalArgumentException e) {
            hub.listeners.error(c.id(), e);
            throw new ProtocolException(ErrorCode.HANDLER_ERROR, "the route's reply cannot be serialized", s.ref());
        }
        hub.reply(c, new ServerMessage.Reply(s.ref(), data));
    }

    private void auth(Connection c, Request.Auth a) throws ProtocolException {
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
            error(c, a.ref(), ErrorCode.UNAUTHORIZED, e.getMessage(), 0);
            hub.closeAfterFlush(c, CloseReason.UNAUTHORIZED);
            return;
        }
        if (p == null || p.isAnonymous()) {
            error(c, a.ref(), ErrorCode.UNAUTHORIZED, "credentials were not accepted", 0);
            hub.closeAfterFlush(c, CloseReason.UNAUTHORIZED);
            return;
        }
        if (!hub.registry.addUser(c, p.user())) {
            error(c, a.ref(), ErrorCode.LIMIT_EXCEEDED, "too many connections for user " + p.user(), 0);
            hub.closeAfterFlush(c, CloseReason.CAPACITY);
            return;
        }
        c.authenticate(p);
        hub.reply(c, new ServerMessage.Authenticated(a.ref(), p.user()));
    }

    void error(Connection c, String ref, ErrorCode code, String message, long retryAfterMs) {
        hub.metrics.errors.increment();
        hub.reply(c, new ServerMessage.Error(ref, code, message, retryAfterMs));
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
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
