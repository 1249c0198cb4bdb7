package io.herald.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.Hub;
import io.herald.HubAdmin;
import io.herald.HubMetrics;
import io.herald.spi.Authorizer;
import io.herald.spi.Codec;
import io.herald.spi.ConnectionGateway;
import io.herald.spi.Framing;
import io.herald.spi.HistoryLog;
import io.herald.spi.OutboundFrame;
import io.herald.spi.ServerMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: wires the tables, the publish path, the request handler and the gateway, and owns the one
 * scheduler thread ({@code herald-scheduler-<node>}) that runs heartbeats, auth deadlines and batch
 * flushes. See {@code docs/concurrency.md} for every thread and lock.
 */
public final class HubEngine implements Hub {
    private static final Logger LOG = LoggerFactory.getLogger(HubEngine.class);
    private static final int MAX_RATE_LIMIT_KEYS = 100_000;
    /**
     * The least time a connection's send may stay in flight without completing before it is cut as
     * a slow consumer, so that a slow link writing a large batch under a short heartbeat is not cut.
     */
    static final long MIN_STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * The slowest reading that still counts as reading: a batch in flight is given, beyond the stall limit, the
     * time it takes at this rate, so a client on a slow link is not cut for a large batch (256 KiB: 32 s more).
     */
    static final long MIN_DRAIN_BYTES_PER_SECOND = 8 * 1024;

    final HubConfig config;
    /** Whether the clock is the system's, so monotonic time can come from {@link System#nanoTime()}. */
    private final boolean systemClock;
    final Codec codec;
    final ObjectMapper mapper;
    final HistoryLog history;
    final Authorizer authorizer;
    final PatternIndex<Subscription> index = new PatternIndex<>();
    final RoomTable rooms = new RoomTable();
    final ConnectionRegistry registry;
    final Metrics metrics;
    final Listeners listeners;
    final Fanout fanout;
    final RequestHandler requests;
    final SubscriptionRequests subscriptions;
    final KeyedRateLimiter publishLimiter;
    final ScheduledThreadPoolExecutor scheduler;
    /** Where a large fan-out's writers start; {@code null} when the hub writes on the publishing thread. */
    private final FanoutThreads fanoutThreads;
    private final Gateway gateway;
    private final AdminView admin;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Counted down when the first {@link #close(Duration)} has finished; later calls wait for it. */
    private final CountDownLatch closeDone = new CountDownLatch(1);
    /** The thread running the first {@link #close(Duration)}; its own listeners may call close again. */
    private volatile Thread closingThread;
    /**
     * SSE connections closed at once whose transport waits for their closing frame (at most the drain timeout);
     * {@link #close(Duration)} closes what is left, since stopping the scheduler drops their timers.
     */
    private final Set<Connection> lingering = ConcurrentHashMap.newKeySet();
    private final AtomicInteger draining = new AtomicInteger();
    private final Object drainMonitor = new Object();
    /** {@link #nanos()} as one shared object, for the per-connection rate-limit buckets. */
    final java.util.function.LongSupplier nanoClock = this::nanos;

    /** @param config validated settings from {@link io.herald.HubBuilder} */
    public HubEngine(HubConfig config) {
        this.config = config;
        // (the system clock in any zone: its millis are the wall clock's, which NTP may step)
        this.systemClock = config.clock().withZone(ZoneOffset.UTC).equals(Clock.systemUTC());
        this.codec = config.codec() != null ? config.codec() : new JsonCodec();
        this.mapper = config.objectMapper() != null ? config.objectMapper() : new ObjectMapper();
        this.history = config.historyLog() != null ? config.historyLog()
                : new InMemoryHistoryLog(config.historySize(), config.historyMaxAge(), config.clock());
        this.authorizer = config.authorizer();
        this.registry = new ConnectionRegistry(config.maxConnections(), config.maxConnectionsPerUser(),
                config.maxConnectionsPerIp());
        this.listeners = new Listeners(config.listeners());
        this.metrics = new Metrics(registry::size, rooms::size, this::queuedFrames);
        this.fanoutThreads = config.fanoutThreads() > 0 ? new FanoutThreads(config.fanoutThreads(), config.node())
                : null;
        this.fanout = new Fanout(index, rooms, history, codec, authorizer, metrics, config.clock(),
                config.outboundQueueFrames(), this::slowConsumer, c -> closeAfterFlush(c, CloseReason.INTERNAL),
                listeners::error, fanoutThreads);
        this.requests = new RequestHandler(this);
        this.subscriptions = new SubscriptionRequests(this);
        this.publishLimiter = new KeyedRateLimiter(config.publishRate(), MAX_RATE_LIMIT_KEYS, this::nanos);
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "herald-scheduler-" + config.node());
            t.setDaemon(true);
            return t;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.gateway = new Gateway(this, new KeyedRateLimiter(config.handshakeRate(), MAX_RATE_LIMIT_KEYS,
                this::nanos));
        this.admin = new AdminView(registry, rooms);
        long hb = config.heartbeat().toMillis();
        scheduler.scheduleAtFixedRate(this::heartbeatTick, hb, hb, TimeUnit.MILLISECONDS);
    }

    /** @return monotonic nanoseconds from the configured clock (the system's nano timer for the default clock) */
    long nanos() {
        return systemClock ? System.nanoTime() : TimeUnit.MILLISECONDS.toNanos(config.clock().millis());
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public String publish(String topic, Object data) {
        Topics.checkTopic(topic);
        byte[] json = serialize(data);
        return fanout.publish(topic, json, null).id();
    }

    @Override
    public String emit(String room, String topic, Object data) {
        return emit(room, topic, data, null);
    }

    @Override
    public String emit(String room, String topic, Object data, String exceptConnectionId) {
        Topics.checkRoom(room);
        Topics.checkTopic(topic);
        byte[] json = serialize(data);
        return fanout.emit(room, topic, json, null, exceptConnectionId).id();
    }

    @Override
    public boolean sendToConnection(String connectionId, String topic, Object data) {
        Topics.checkTopic(topic);
        byte[] json = serialize(data);
        Connection c = registry.get(connectionId);
        if (c == null || !c.isOpen() || !c.started) {
            return false;
        }
        fanout.direct(List.of(c), connectionId, topic, json);
        return true;
    }

    @Override
    public int sendToUser(String user, String topic, Object data) {
        Topics.checkTopic(topic);
        byte[] json = serialize(data);
        List<Connection> targets = new ArrayList<>(registry.ofUser(user));
        // one still opening gets connected first, and nothing before it
        targets.removeIf(c -> !c.started);
        if (targets.isEmpty()) {
            return 0;
        }
        fanout.direct(targets, "user:" + user, topic, json);
        return targets.size();
    }

    private byte[] serialize(Object data) {
        if (closed.get()) {
            throw new IllegalStateException("hub is closed");
        }
        byte[] json = JsonCodec.writeValue(mapper, data);
        if (json.length > config.maxEventDataBytes()) {
            // queued whole, it would end every recipient as a slow consumer
            throw new IllegalArgumentException("data of " + json.length + " bytes is more than an event may carry: "
                    + config.maxEventDataBytes() + " bytes (outboundQueue.bytes less " + HubConfig.EVENT_ENVELOPE_BYTES
                    + " for the event's envelope)");
        }
        return json;
    }

    @Override
    public boolean disconnect(String connectionId, CloseReason reason) {
        requireSendable(reason);
        Connection c = registry.get(connectionId);
        if (c == null) {
            return false;
        }
        closeAfterFlush(c, reason);
        return true;
    }

    /** A code no close frame may carry would leave the socket open once the hub has let the connection go. */
    private static void requireSendable(CloseReason reason) {
        if (reason == null || !reason.sendable()) {
            throw new IllegalArgumentException("close code must be one a server may send (1000–1003, 1007–1013, or"
                    + " 3000–4999 for applications), was " + (reason == null ? null : reason.code()));
        }
    }

    @Override
    public int disconnectUser(String user, CloseReason reason) {
        requireSendable(reason);
        List<Connection> cs = registry.ofUser(user);
        for (Connection c : cs) {
            closeAfterFlush(c, reason);
        }
        return cs.size();
    }

    @Override
    public ConnectionGateway gateway() {
        return gateway;
    }

    @Override
    public HubAdmin admin() {
        return admin;
    }

    @Override
    public HubMetrics metrics() {
        return metrics;
    }

    @Override
    public String node() {
        return config.node();
    }

    @Override
    public Duration heartbeat() {
        return config.heartbeat();
    }

    @Override
    public int maxFrameBytes() {
        return config.maxFrameBytes();
    }

    /** @return how long a batch of this many bytes takes at {@link #MIN_DRAIN_BYTES_PER_SECOND} */
    static long drainNanos(long bytes) {
        return bytes / MIN_DRAIN_BYTES_PER_SECOND * 1_000_000_000L
                + bytes % MIN_DRAIN_BYTES_PER_SECOND * 1_000_000_000L / MIN_DRAIN_BYTES_PER_SECOND;
    }

    /** Queues an answer to one connection and starts its writer if idle. Not under the publish lock. */
    void reply(Connection c, ServerMessage message) {
        reply(c, Frames.encode(codec, message, c.framing()));
    }

    /**
     * Queues an encoded answer like {@link #reply(Connection, ServerMessage)}.
     *
     * @param frame the answer, or {@code null} for none (the framing does not carry it)
     */
    void reply(Connection c, OutboundFrame frame) {
        if (frame == null) {
            return;
        }
        switch (c.outbound.offer(frame)) {
            case QUEUED_START_WRITER -> c.outbound.drain();
            case OVERFLOW -> slowConsumer(c);
            default -> {
            }
        }
    }

    void slowConsumer(Connection c) {
        closeNow(c, CloseReason.SLOW_CONSUMER);
    }

    /**
     * Closes at once, discarding what is queued. A transport without close codes (SSE) still gets the
     * closing {@code error} frame after the send in flight; it is closed when that frame is written, or after
     * the drain timeout when the send in flight does not complete (a client that stopped reading).
     */
    void closeNow(Connection c, CloseReason reason) {
        closeNow(c, reason, true);
    }

    /**
     * @param waitForLastFrame whether an SSE transport is left open until its closing frame is written (at most
     *     the drain timeout); {@code false} closes every transport now
     */
    private void closeNow(Connection c, CloseReason reason, boolean waitForLastFrame) {
        if (c.beginClose(reason, false)) {
            if (reason == CloseReason.SLOW_CONSUMER) {
                // the hub's own cut (not a client's close frame that says the same), counted only when this close
                // is the one that ends the connection
                metrics.slowConsumers.increment();
            }
            release(c, reason);
        }
        CloseReason closing = c.closeReason() != null ? c.closeReason() : reason;
        if (waitForLastFrame && endsWithErrorFrame(c) && !c.transportCloseClaimed()) {
            long graceMs = config.drainTimeout().toMillis();
            if (graceMs > 0) {
                lingering.add(c);
                try {
                    scheduler.schedule(() -> closeTransport(c, closing), graceMs, TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException e) {
                    // the hub is stopping: close now
                }
            }
        }
        closeTransport(c, closing);
    }

    /** @return whether the connection's transport has no close codes, so a closing {@code error} frame says why */
    private static boolean endsWithErrorFrame(Connection c) {
        return c.framing() == Framing.SSE;
    }

    /**
     * The frame a closed connection's queue writes last: on SSE the {@code error} event that carries the close
     * reason and code, unless the transport reported its own close (nobody is left to read it).
     *
     * @return the frame, or {@code null} for none
     */
    OutboundFrame lastFrame(Connection c) {
        CloseReason reason = c.closeReason();
        if (!endsWithErrorFrame(c) || reason == null || c.transportCloseClaimed()) {
            return null;
        }
        try {
            return Frames.encode(codec, ClosingError.of(reason), Framing.SSE);
        } catch (RuntimeException e) {
            LOG.warn("encoding the closing error of {} failed", c, e);
            return null;
        }
    }

    /** Waits on the drain monitor until the condition holds or the deadline ({@link System#nanoTime}) passes. */
    private void awaitUntil(java.util.function.BooleanSupplier done, long deadline) {
        synchronized (drainMonitor) {
            while (!done.getAsBoolean() && System.nanoTime() < deadline) {
                long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                try {
                    drainMonitor.wait(Math.min(waitMs, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Closes the transport once, whoever asks first. */
    private void closeTransport(Connection c, CloseReason reason) {
        lingering.remove(c);
        if (!c.claimTransportClose()) {
            return;
        }
        try {
            c.transport().close(reason.code(), reason.reason());
        } catch (RuntimeException e) {
            LOG.debug("closing transport of {} failed", c, e);
        }
    }

    /** The transport reported that it closed: release the connection without closing the transport again. */
    void transportClosed(Connection c, CloseReason reason) {
        c.claimTransportClose();
        closeNow(c, reason);
        c.transportEnded = true;
        if (closed.get()) {
            // only Hub.close waits for these reports
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
    }

    /**
     * Stops taking requests and events, flushes what is queued, then closes; the transport is closed after
     * the drain timeout whether or not the queue emptied, since a client that stopped reading keeps its send
     * in flight and some containers never time it out.
     */
    void closeAfterFlush(Connection c, CloseReason reason) {
        closeAfterFlush(c, reason, true);
    }

    /** @param byDrainTimeout whether to close the transport after the drain timeout if the flush has not ended */
    private void closeAfterFlush(Connection c, CloseReason reason, boolean byDrainTimeout) {
        if (c.beginClose(reason, true)) {
            release(c, reason);
            if (byDrainTimeout) {
                closeByDeadline(c, reason);
            }
        }
    }

    private void closeByDeadline(Connection c, CloseReason reason) {
        // released already, so only this set lets close(Duration) find it if the hub stops first
        lingering.add(c);
        try {
            scheduler.schedule(() -> closeTransport(c, reason), config.drainTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the hub is stopping: close(Duration) closes every transport when its own deadline passes
        }
    }

    /** Called by the queue when a closing connection's queue is empty: close the transport. */
    void drained(Connection c) {
        closeTransport(c, c.closeReason() != null ? c.closeReason() : CloseReason.DISCONNECTED);
        if (draining.get() > 0) {
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
    }

    /** Releases everything a connection holds. Runs once per connection, by whoever began its close. */
    private void release(Connection c, CloseReason reason) {
        registry.remove(c);
        c.cancelAuthDeadline();
        for (Subscription s : c.subscriptionsSnapshot()) {
            // an unsubscribe may be removing it meanwhile: whoever removes it from the index counts it
            if (index.remove(s.pattern, s)) {
                metrics.subscriptionCount.decrement();
            }
        }
        for (String room : c.roomsSnapshot()) {
            Deliveries d = fanout.deliveries();
            RoomTable.Entry gone;
            try {
                gone = fanout.membership(room, null, c, null, d, 0);
            } finally {
                fanout.finishMembership(d);
            }
            if (gone != null) {
                c.events.add(() -> listeners.leave(room, gone.member()));
            }
        }
        ConnectionInfo info = c.info();
        synchronized (c) {
            c.clearMemberships();
            // under the lock a leave request adds its call in: that call comes before this one
            c.events.add(() -> listeners.disconnected(info, reason));
        }
        c.events.run();
    }

    /**
     * Closes silent WebSocket connections ({@link IdleWatch}) and, as slow consumers, any whose writes did not
     * complete for two heartbeats ({@link #MIN_STALL_NANOS} at least) plus the time their batch in flight takes
     * at {@link #MIN_DRAIN_BYTES_PER_SECOND}, and queues every connection's keep-alive.
     */
    private void heartbeatTick() {
        try {
            long now = nanos();
            long heartbeat = config.heartbeat().toNanos();
            // (a heartbeat is at most a day)
            long stallLimit = Math.max(2 * heartbeat, MIN_STALL_NANOS);
            for (Connection c : registry.all()) {
                IdleWatch watch = c.idleWatch();
                // (an SSE client is never heard: only its writes are judged)
                boolean answers = c.framing() == Framing.WEBSOCKET;
                // read before the completions: a batch started after this read shows as a completion
                long sendState = c.outbound.sendState();
                int completions = c.outbound.completions();
                // no send in flight: nothing queued, or the writer waits for the server, not for the client
                boolean notWaitingForClient = Outbound.sendsStarted(sendState) == (completions & Outbound.SENDS_MASK)
                        || c.outbound.idle();
                if (watch.tick(now, c.lastActivityNanos(), c.outbound.pingsWritten(), completions,
                        notWaitingForClient, heartbeat) && answers) {
                    closeNow(c, CloseReason.IDLE_TIMEOUT);
                    continue;
                }
                if (watch.stalled(now, stallLimit + drainNanos(Outbound.bytesInFlight(sendState)), heartbeat)) {
                    // reading nothing, however often heard (pongs), on a transport whose writes never time out, or
                    // an SSE stream whose queue is far from full
                    slowConsumer(c);
                    continue;
                }
                Outbound.Offer offer = c.outbound.offer(OutboundFrame.PING);
                if (answers && (offer == Outbound.Offer.QUEUED || offer == Outbound.Offer.QUEUED_START_WRITER)) {
                    watch.pingOffered();
                }
                switch (offer) {
                    case QUEUED_START_WRITER -> c.outbound.drain();
                    case OVERFLOW -> slowConsumer(c);
                    default -> {
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("heartbeat failed", e);
        }
    }

    private long queuedFrames() {
        long n = 0;
        for (Connection c : registry.all()) {
            n += c.outbound.queued();
        }
        return n;
    }

    @Override
    public void close() {
        close(config.drainTimeout());
    }

    @Override
    public void close(Duration drain) {
        if (!closed.compareAndSet(false, true)) {
            awaitClosed(drain);
            return;
        }
        closingThread = Thread.currentThread();
        try {
            shutDown(drain);
        } finally {
            closeDone.countDown();
        }
    }

    /**
     * Waits for the first close to finish, so that every caller may stop the server when close returns; at
     * most this call's own drain time, so that a caller the first close waits for (a container thread running
     * a listener or a route handler that closes the hub) holds it up no longer than it asked. A listener called
     * by the first close on its own thread returns at once instead of waiting for itself; an interrupt ends the
     * wait, with the thread's flag set again.
     */
    private void awaitClosed(Duration drain) {
        if (Thread.currentThread() == closingThread) {
            return;
        }
        try {
            closeDone.await(drain.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutDown(Duration drain) {
        List<Connection> open = new ArrayList<>(registry.all());
        long deadline = System.nanoTime() + drain.toNanos();
        draining.incrementAndGet();
        try {
            for (Connection c : open) {
                // no per-connection deadline: the one passed to this method governs
                closeAfterFlush(c, CloseReason.SHUTDOWN, false);
            }
            awaitUntil(() -> open.stream().allMatch(c -> c.outbound.idle()), deadline);
        } finally {
            draining.decrementAndGet();
        }
        for (Connection c : open) {
            closeNow(c, CloseReason.SHUTDOWN, false);
        }
        scheduler.shutdownNow();
        List<Connection> left = new ArrayList<>(lingering);
        for (Connection c : left) {
            closeTransport(c, c.closeReason() != null ? c.closeReason() : CloseReason.SHUTDOWN);
        }
        // closes run asynchronously (a WebSocket's close frame is written on another thread): a server stopped
        // as soon as this returns would cut them, and its clients would see 1006 instead of 1001
        open.addAll(left);
        // a connection closed while it was being opened never handed its transport a handle to report with
        awaitUntil(() -> open.stream().allMatch(c -> c.transportEnded || !c.started
                || !c.transport().reportsClose()), deadline);
        if (fanoutThreads != null) {
            fanoutThreads.stop();
        }
        try {
            history.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the history log failed", e);
        }
    }
}
