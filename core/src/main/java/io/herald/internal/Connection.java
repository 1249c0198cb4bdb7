package io.herald.internal;

import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.Principal;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiPredicate;

/**
 * The hub's state for one open connection.
 *
 * <p>Threads and locks: requests of one connection arrive one at a time on a container thread; they
 * change {@link #subscriptions} and {@link #rooms} while holding this object's monitor (the control
 * lock). {@link #receiveCache} is touched only by the thread holding the hub's publish lock, and so is
 * the delivery state kept in {@link Outbound}. Lock order: control lock, then publish lock, then the
 * outbound queue's monitor; never the reverse.
 *
 * <p>Memory: a hub may hold many thousands of idle connections, so this object keeps only what a connection
 * needs for its whole life. The handshake (headers, query, cookies) and the timer of the auth-frame deadline
 * are kept, in one object only such connections have, only while an auth frame may still come, that is until
 * the connection is authenticated (or closed: the timer then goes); the rooms set and the receive cache are
 * created on first use; the state flags are plain fields behind {@link VarHandle}s rather than atomic
 * objects.
 */
final class Connection {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final int RECEIVE_CACHE_MAX = 1_024;
    private static final VarHandle STATE;
    private static final VarHandle TRANSPORT_CLOSED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Connection.class, "state", int.class);
            TRANSPORT_CLOSED = lookup.findVarHandle(Connection.class, "transportClosed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String id;
    private final Transport transport;
    private final Framing framing;
    private final String remoteAddress;
    /** What the per-address limits count this connection under ({@link Addresses#limitKey}). */
    private final String addressKey;
    /** What a connection awaiting its auth frame holds; {@code null} once authenticated (or never awaiting). */
    private volatile AuthWait authWait;
    /** Whether the transport reported that the connection ended ({@code onClosed}); read by the hub's close. */
    volatile boolean transportEnded;
    private final long connectedAt;
    private final String controlToken;
    private final TokenBucket inboundBucket;
    /** {@link #OPEN}, {@link #CLOSING} or {@link #CLOSED}; see {@link #STATE}. */
    private volatile int state = OPEN;
    /** See {@link #claimTransportClose()}. */
    private volatile boolean transportClosed;
    private volatile Principal principal;
    private volatile boolean authenticated;
    private volatile long lastActivityNanos;
    /** Whether the client is still there, for WebSocket connections ({@code null} for SSE streams). */
    private final IdleWatch idleWatch;
    private volatile CloseReason closeReason;
    /**
     * The user whose entry in the {@link ConnectionRegistry} may hold this connection; written by the
     * registry before it files the connection there, read when it unregisters it.
     */
    volatile String filedUser;
    /**
     * Set once {@code connected} is queued: until then, what is sent to the connection's id or user passes
     * it by, so that {@code connected} is always its first frame.
     */
    volatile boolean started;
    final Outbound outbound;
    /** The listener calls about this connection, in order. */
    final ListenerEvents events = new ListenerEvents();
    /**
     * Serializes control requests (SSE's HTTP subscribe and unsubscribe), which may arrive on several
     * container threads at once; WebSocket messages are already delivered one at a time. Taken before
     * the control lock.
     */
    final Object requestLock = new Object();
    final int batchMs;

    /** Control lock. Sized for the usual one or two subscriptions; it grows as any map does. */
    final Map<String, Subscription> subscriptions = new LinkedHashMap<>(2);
    /** Control lock: the rooms joined; the shared empty set until the first join. */
    private Set<String> rooms = Collections.emptySet();
    /** Request thread only. */
    int consecutiveRejections;

    /** Publish lock: cached {@code mayReceive} answers for wildcard deliveries; {@code null} until the first. */
    private Map<String, Boolean> receiveCache;

    Connection(String id, Transport transport, Handshake handshake, Principal principal, boolean authenticated,
            long connectedAt, long nowNanos, String controlToken, TokenBucket inboundBucket, int batchMs,
            OutboundFactory outboundFactory) {
        this.id = id;
        this.transport = transport;
        this.framing = transport.framing();
        this.remoteAddress = handshake.remoteAddress();
        this.addressKey = Addresses.limitKey(remoteAddress);
        this.authWait = authenticated ? null : new AuthWait(handshake);
        this.principal = principal;
        this.authenticated = authenticated;
        this.connectedAt = connectedAt;
        this.lastActivityNanos = nowNanos;
        this.idleWatch = new IdleWatch(nowNanos);
        this.controlToken = controlToken;
        this.inboundBucket = inboundBucket;
        this.batchMs = batchMs;
        this.outbound = outboundFactory.create(this);
    }

    /** Creates the connection's outbound queue once the connection exists (the queue reports back to it). */
    interface OutboundFactory {
        Outbound create(Connection connection);
    }

    String id() {
        return id;
    }

    Transport transport() {
        return transport;
    }

    Framing framing() {
        return framing;
    }

    /**
     * @return the handshake, for an auth frame; {@code null} once the connection is authenticated (the
     *     handshake is then no longer kept)
     */
    Handshake handshake() {
        AuthWait w = authWait;
        return w == null ? null : w.handshake;
    }

    /**
     * Keeps the timer that closes the connection if no auth frame authenticates it in time, so that it is
     * cancelled (and lets go of this connection) as soon as it has nothing left to do: at once if the
     * connection was authenticated or closed before the timer was kept.
     *
     * @param deadline the scheduled close
     */
    void keepAuthDeadline(ScheduledFuture<?> deadline) {
        AuthWait w = authWait;
        if (w != null) {
            w.deadline = deadline;
        }
        // both fields are volatile: authenticate or cancelAuthDeadline, running at once, sees the timer, or
        // this sees what it changed
        if (w == null || authWait == null || !isOpen()) {
            deadline.cancel(false);
        }
    }

    /** Cancels the auth-frame deadline's timer, if any; the handshake is kept for an auth frame still running. */
    void cancelAuthDeadline() {
        cancel(authWait);
    }

    private static void cancel(AuthWait w) {
        ScheduledFuture<?> deadline = w == null ? null : w.deadline;
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** @return the client's address, as the handshake gave it */
    String remoteAddress() {
        return remoteAddress;
    }

    /** @return the key the per-address limits count this connection under */
    String addressKey() {
        return addressKey;
    }

    Principal principal() {
        return principal;
    }

    String user() {
        return principal.user();
    }

    boolean authenticated() {
        return authenticated;
    }

    void authenticate(Principal newPrincipal) {
        this.principal = newPrincipal;
        this.authenticated = true;
        AuthWait w = authWait;
        this.authWait = null;
        cancel(w);
    }

    String controlToken() {
        return controlToken;
    }

    TokenBucket inboundBucket() {
        return inboundBucket;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    void touch(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    /**
     * @return the heartbeat's view of whether the client is still there and of whether its writes go on; an
     *     SSE client is never heard, so only the second is judged for it
     */
    IdleWatch idleWatch() {
        return idleWatch;
    }

    boolean isOpen() {
        return state == OPEN;
    }

    boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Moves to closing (flush then close) or closed (close now).
     *
     * @param reason why
     * @param flush whether queued frames are flushed first
     * @return whether this call made the change (the caller then releases the connection's resources)
     */
    boolean beginClose(CloseReason reason, boolean flush) {
        int target = flush ? CLOSING : CLOSED;
        while (true) {
            int s = state;
            if (s == CLOSED || (s == CLOSING && flush)) {
                return false;
            }
            if (STATE.compareAndSet(this, s, target)) {
                if (closeReason == null) {
                    closeReason = reason;
                }
                outbound.close(!flush);
                return s == OPEN;
            }
        }
    }

    /**
     * Claims the one call of {@link Transport#close}: the first caller (or a transport that reported its
     * own close) gets {@code true}, everyone after gets {@code false}.
     *
     * @return whether the caller is to close the transport
     */
    boolean claimTransportClose() {
        return TRANSPORT_CLOSED.compareAndSet(this, false, true);
    }

    /** @return whether {@link #claimTransportClose()} was called: the transport is closed or closing */
    boolean transportCloseClaimed() {
        return transportClosed;
    }

    /** @return the reason given when closing began, or {@code null} while open */
    CloseReason closeReason() {
        return closeReason;
    }

    /**
     * Looks up or computes whether this connection may receive a topic, caching the answer.
     * Publish lock only.
     */
    boolean mayReceive(String topic, BiPredicate<Principal, String> authorizer) {
        Map<String, Boolean> cache = receiveCache;
        if (cache == null) {
            cache = new HashMap<>(4);
            receiveCache = cache;
        }
        Boolean cached = cache.get(topic);
        if (cached == null) {
            if (cache.size() >= RECEIVE_CACHE_MAX) {
                cache.clear();
            }
            cached = authorizer.test(principal, topic);
            cache.put(topic, cached);
        }
        return cached;
    }

    /** Control lock. @return whether the connection is in the room */
    boolean inRoom(String room) {
        return rooms.contains(room);
    }

    /** Control lock. @return how many rooms the connection is in */
    int roomCount() {
        return rooms.size();
    }

    /** Control lock. @param room a room the connection joins */
    void addRoom(String room) {
        if (!(rooms instanceof LinkedHashSet)) {
            rooms = new LinkedHashSet<>(4);
        }
        rooms.add(room);
    }

    /** Control lock. @return whether the connection was in the room */
    boolean removeRoom(String room) {
        boolean removed = rooms.remove(room);
        if (removed && rooms.isEmpty()) {
            rooms = Collections.emptySet();
        }
        return removed;
    }

    /** Control lock: forgets every subscription and room (the hub has released them). */
    void clearMemberships() {
        subscriptions.clear();
        rooms = Collections.emptySet();
    }

    ConnectionInfo info() {
        Set<String> subs;
        Set<String> rs;
        synchronized (this) {
            subs = new LinkedHashSet<>(subscriptions.keySet());
            rs = new LinkedHashSet<>(rooms);
        }
        return new ConnectionInfo(id, principal.user(), remoteAddress,
                framing.name().toLowerCase(Locale.ROOT), subs, rs, connectedAt, outbound.queued(),
                outbound.queuedBytes());
    }

    /** @return a copy of the subscriptions, for release; control lock taken inside */
    synchronized List<Subscription> subscriptionsSnapshot() {
        return new ArrayList<>(subscriptions.values());
    }

    /** @return a copy of the rooms, for release; control lock taken inside */
    synchronized List<String> roomsSnapshot() {
        return new ArrayList<>(rooms);
    }

    /** The handshake an auth frame is judged with, and the timer of its deadline once armed. */
    private static final class AuthWait {
        final Handshake handshake;
        volatile ScheduledFuture<?> deadline;

        AuthWait(Handshake handshake) {
            this.handshake = handshake;
        }
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", " + principal.user() + "@" + remoteAddress + "]";
    }
}
