package io.herald.internal;

import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.Principal;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * The hub's state for one open connection.
 *
 * <p>Threads and locks: requests of one connection arrive one at a time on a container thread; they
 * change {@link #subscriptions} and {@link #rooms} while holding this object's monitor (the control
 * lock). {@link #receiveCache} is touched only by the thread holding the hub's publish lock, and so is
 * the delivery state kept in {@link Outbound}. Lock order: control lock, then publish lock, then the
 * outbound queue's monitor; never the reverse.
 */
final class Connection {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final int RECEIVE_CACHE_MAX = 1_024;

    private final String id;
    private final Transport transport;
    private final Framing framing;
    private final Handshake handshake;
    private final long connectedAt;
    private final String controlToken;
    private final TokenBucket inboundBucket;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final AtomicBoolean transportClosed = new AtomicBoolean();
    private volatile Principal principal;
    private volatile boolean authenticated;
    private volatile long lastActivityNanos;
    private volatile CloseReason closeReason;
    final Outbound outbound;
    /**
     * Serializes control requests (SSE's HTTP subscribe and unsubscribe), which may arrive on several
     * container threads at once; WebSocket messages are already delivered one at a time. Taken before
     * the control lock.
     */
    final Object requestLock = new Object();
    final int batchMs;

    /** Control lock. */
    final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** Control lock. */
    final Set<String> rooms = new LinkedHashSet<>();
    /** Request thread only. */
    int consecutiveRejections;

    /** Publish lock: cached {@code mayReceive} answers for wildcard deliveries. */
    final Map<String, Boolean> receiveCache = new HashMap<>();

    Connection(String id, Transport transport, Handshake handshake, Principal principal, boolean authenticated,
            long connectedAt, long nowNanos, String controlToken, TokenBucket inboundBucket, int batchMs,
            OutboundFactory outboundFactory) {
        this.id = id;
        this.transport = transport;
        this.framing = transport.framing();
        this.handshake = handshake;
        this.principal = principal;
        this.authenticated = authenticated;
        this.connectedAt = connectedAt;
        this.lastActivityNanos = nowNanos;
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

    Handshake handshake() {
        return handshake;
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

    boolean isOpen() {
        return state.get() == OPEN;
    }

    boolean isClosed() {
        return state.get() == CLOSED;
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
            int s = state.get();
            if (s == CLOSED || (s == CLOSING && flush)) {
                return false;
            }
            if (state.compareAndSet(s, target)) {
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
        return transportClosed.compareAndSet(false, true);
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
        Boolean cached = receiveCache.get(topic);
        if (cached == null) {
            if (receiveCache.size() >= RECEIVE_CACHE_MAX) {
                receiveCache.clear();
            }
            cached = authorizer.test(principal, topic);
            receiveCache.put(topic, cached);
        }
        return cached;
    }

    ConnectionInfo info() {
        Set<String> subs;
        Set<String> rs;
        synchronized (this) {
            subs = new LinkedHashSet<>(subscriptions.keySet());
            rs = new LinkedHashSet<>(rooms);
        }
        return new ConnectionInfo(id, principal.user(), handshake.remoteAddress(),
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

    @Override
    public String toString() {
        return "Connection[" + id + ", " + principal.user() + "@" + handshake.remoteAddress() + "]";
    }
}
