package io.herald.internal;

import io.herald.SlowConsumerPolicy;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One connection's bounded outbound queue and its writer.
 *
 * <p>Frames are offered by any thread (publishers, the request thread, the heartbeat). The queue is a
 * ring bounded by frame count and bytes, guarded by this object's monitor, which never covers the
 * transport. At most one {@link Transport#send} is in flight: whoever finds the writer idle becomes the
 * writer and hands the transport everything queued as one batch; the send's completion continues with
 * the next batch on whatever thread completed it.
 *
 * <p>The object is also the batch the transport receives (a read-only list valid during {@code send}),
 * so the hot path touches as few objects as possible: a frame offered to an idle writer goes straight
 * into the batch, and a send that completes on the sending thread is recognised with plain fields; an
 * atomic is needed only when a completion arrives on another thread.
 */
final class Outbound extends AbstractList<OutboundFrame> implements RandomAccess, SendCallback {
    /** What {@link #offer} did. */
    enum Offer {
        /** Queued; the writer is already running or waits for a batch window. */
        QUEUED,
        /** Queued and the caller must call {@link #drain()}: it became the writer. */
        QUEUED_START_WRITER,
        /**
         * The queue is full under the disconnect policy (or full of undroppable frames), or refused a frame
         * before: a refusal is for good, so the client never gets a newer frame past one it missed.
         */
        OVERFLOW,
        /** The queue no longer accepts frames. */
        CLOSED
    }

    /** Told about the queue's outcomes; called without the queue's monitor held. */
    interface Listener {
        /** @param frames volatile frames discarded to make room */
        void dropped(int frames);

        /**
         * Asked once, when a closed queue has written everything it still holds (or discarded it): the frame
         * that ends the connection, written after every other and before {@link #drained()}. It is never
         * counted against the queue's bounds, so a full queue cannot keep it out. Called on the writer's
         * thread without the queue's monitor held.
         *
         * @return the last frame, or {@code null} for none (WebSocket, whose close frame says why)
         */
        default OutboundFrame lastFrame() {
            return null;
        }

        /** The writer ran out of frames after a close was requested: the transport may be closed. */
        void drained();

        /** @param cause the transport failed a send; the connection is unusable */
        void failed(Throwable cause);
    }

    private static final int RETURNED = 0;
    private static final int SENDING = 1;
    private static final int COMPLETED_ELSEWHERE = 2;
    private static final int MAX_BATCH_FRAMES = 256;
    private static final long MAX_BATCH_BYTES = 256 * 1024;
    /** The first size of the ring and of the batch array; arrays of this size are let go when idle. */
    private static final int INITIAL_SLOTS = 4;
    /** The longest a {@link #hold()} keeps the writer back, in microseconds. */
    static final long HOLD_MICROS = 5_000;
    /** A held queue starts its writer anyway once it holds this many frames (or half its bounds). */
    static final int HOLD_FRAMES = 64;
    private static final long HOLD_BYTES = 64 * 1024;
    /**
     * A resume's replay leaves this share of the queue's bounds free (16 frames and 64 KiB by default), so the
     * live events that follow it do not overflow the queue before the writer has started on the replay.
     */
    static final int RESERVE_SHARE = 64;
    private static final VarHandle PHASE;
    private static final VarHandle COMPLETIONS;
    private static final VarHandle PINGS_WRITTEN;
    private static final VarHandle SEND_STATE;
    /** {@link #sendState}: the bytes in its low 40 bits, the sends started in the 24 above. */
    private static final int SENDS_SHIFT = 40;
    private static final long BYTES_MASK = (1L << SENDS_SHIFT) - 1;
    /** The sends started and the completions compare in this many low bits. */
    static final int SENDS_MASK = (1 << (64 - SENDS_SHIFT)) - 1;

    static {
        try {
            PHASE = MethodHandles.lookup().findVarHandle(Outbound.class, "phase", int.class);
            COMPLETIONS = MethodHandles.lookup().findVarHandle(Outbound.class, "completions", int.class);
            PINGS_WRITTEN = MethodHandles.lookup().findVarHandle(Outbound.class, "pingsWritten", long.class);
            SEND_STATE = MethodHandles.lookup().findVarHandle(Outbound.class, "sendState", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The connection this queue serves. */
    final Connection owner;
    /** Publish lock: the stamp of the last event queued, so a connection gets an event once however many
     *  of its patterns match. */
    long deliveryStamp;
    /** Publish lock: live events held back while a subscription's replay is prepared; {@code null} when none. */
    List<EncodedEvent> held;
    /** Publish lock: set when {@link #held} overflowed and the resume must end the connection. */
    boolean heldOverflow;

    private final Transport transport;
    private final int maxFrames;
    private final long maxBytes;
    private final SlowConsumerPolicy policy;
    private final Listener listener;
    private final int batchMs;
    private final ScheduledExecutorService scheduler;
    private final Function<List<byte[]>, byte[]> wrap;

    /** Writer only: the frames taken from the ring for the send in flight. */
    private OutboundFrame[] batch;
    private int batchSize;
    /**
     * Writer only: the id of the thread inside {@code send} (a number, not a reference, so recording it
     * costs no write barrier), and whether the send completed on that thread.
     */
    private long senderId = -1;
    private boolean completedOnSender;
    /** Writer only: the keep-alives in the batch of the send in flight. */
    private int batchPings;
    /**
     * Sends completed, and keep-alives written, so far: counted by the writer (one send is in flight at a
     * time) with release stores, read by the heartbeat with acquire loads.
     */
    private int completions;
    private long pingsWritten;
    /** Writer only: the bytes of the batch about to be sent. */
    private long nextBatchBytes;
    /**
     * The sends handed to the transport so far and the bytes of the last one, in one word so that a send costs
     * one release store; read by the heartbeat. The count is one more than the completions while a send is in
     * flight, and equal while the writer waits for the server (a fan-out thread, a batch window).
     */
    private long sendState;
    /** {@link #RETURNED}, {@link #SENDING} or {@link #COMPLETED_ELSEWHERE}; see {@link #drain()}. */
    private volatile int phase;

    /**
     * Monitor: the ring and the writer's state. The ring is created when a frame first has to wait, and a
     * ring still at its first size is let go when the writer runs dry, so an idle connection holds none.
     */
    private OutboundFrame[] ring;
    private int head;
    private int queued;
    private long bytes;
    private boolean writing;
    private boolean windowOpen;
    /** Monitor: a timer that ends the window of a {@link #hold()} is pending. */
    private boolean holdTimerArmed;
    private boolean closed;
    /** Monitor: a frame was refused; every later one is, so the frames written never have a gap. */
    private boolean refused;
    /** Monitor: an event was missed and the connection is about to close: later frames are not taken. */
    private boolean stopped;
    /** Monitor: the listener was asked for the last frame; set once, after {@link #closed}. */
    private boolean lastAsked;
    private boolean finished;

    /**
     * @param batchMs when positive, frames wait this long after the first one so the client gets them together
     * @param scheduler runs the batch flushes
     * @param wrap joins several encoded messages into one batch message; {@code null} to write them as they
     *     are (SSE, where one write carries many events anyway)
     */
    Outbound(Connection owner, Transport transport, int maxFrames, long maxBytes, SlowConsumerPolicy policy,
            Listener listener, int batchMs, ScheduledExecutorService scheduler, Function<List<byte[]>, byte[]> wrap) {
        this.owner = owner;
        this.transport = transport;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.policy = policy;
        this.listener = listener;
        this.batchMs = batchMs;
        this.scheduler = scheduler;
        this.wrap = wrap;
    }

    /**
     * Queues a frame. Never blocks on the transport.
     *
     * @param frame the frame
     * @return the outcome; on {@link Offer#QUEUED_START_WRITER} the caller must call {@link #drain()}
     *     (after releasing any lock of its own)
     */
    Offer offer(OutboundFrame frame) {
        return offer(frame, false);
    }

    /**
     * Queues a frame, or, when the writer is idle and nothing waits, makes the caller the writer without
     * storing the frame: the caller then hands the frame's batch to {@link #startWith}. Storing nothing in
     * this long-lived object on that path spares the garbage collector's write barrier a card per recipient.
     *
     * @param frame the frame
     * @param deferFirst whether an idle writer may be started without storing the frame
     * @return the outcome; {@link Offer#QUEUED_START_WRITER} with {@code deferFirst} means the frame was not
     *     stored and the caller must call {@link #startWith}
     */
    Offer offer(OutboundFrame frame, boolean deferFirst) {
        int dropped = 0;
        Offer result;
        synchronized (this) {
            if (closed || stopped) {
                return Offer.CLOSED;
            }
            if (refused) {
                return Offer.OVERFLOW;
            }
            if (deferFirst && !writing && !windowOpen && queued == 0 && batchMs == 0) {
                writing = true;
                return Offer.QUEUED_START_WRITER;
            }
            int len = frame.length();
            if (queued == maxFrames || bytes + len > maxBytes) {
                if (policy == SlowConsumerPolicy.DROP_OLDEST) {
                    dropped = dropOldestFor(len);
                }
                if (queued == maxFrames || bytes + len > maxBytes) {
                    // for good: the writer may make room before the connection is closed (the close comes
                    // after the publish lock is released), and a newer frame must not go out past this one
                    refused = true;
                    return Offer.OVERFLOW;
                }
            }
            push(frame);
            result = Offer.QUEUED;
            if (windowOpen && batchMs == 0 && !writing && holdFull()) {
                windowOpen = false;
                writing = true;
                result = Offer.QUEUED_START_WRITER;
            } else if (!writing && !windowOpen) {
                if (batchMs > 0) {
                    windowOpen = true;
                    scheduleFlush();
                } else {
                    writing = true;
                    result = Offer.QUEUED_START_WRITER;
                }
            }
        }
        if (dropped > 0) {
            listener.dropped(dropped);
        }
        return result;
    }

    private void scheduleFlush() {
        try {
            scheduler.schedule(() -> {
                if (release()) {
                    drain();
                }
            }, batchMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            windowOpen = false;
        }
    }

    /**
     * Keeps the writer from starting until {@link #endHold()}, so that frames queued meanwhile go out in one
     * send: for a client whose next requests have already been read, the answers to all of them. Bounded
     * three ways: {@link #endHold()}, a timer after {@link #HOLD_MICROS}, and a queue holding
     * {@link #HOLD_FRAMES} frames or half its bounds starts the writer. Does nothing on a connection that
     * batches by time already, or while a send is in flight (frames queue behind it anyway).
     */
    void hold() {
        synchronized (this) {
            if (closed || batchMs > 0 || windowOpen || writing) {
                return;
            }
            windowOpen = true;
            if (holdTimerArmed) {
                // the pending timer ends this window too, a little early at worst
                return;
            }
            holdTimerArmed = true;
        }
        try {
            scheduler.schedule(this::holdExpired, HOLD_MICROS, TimeUnit.MICROSECONDS);
        } catch (RejectedExecutionException e) {
            holdExpired();
        }
    }

    /** Ends a {@link #hold()}: starts the writer if frames wait. */
    void endHold() {
        if (batchMs == 0 && release()) {
            drain();
        }
    }

    private void holdExpired() {
        synchronized (this) {
            holdTimerArmed = false;
        }
        endHold();
    }

    /** Caller holds the monitor. */
    private boolean holdFull() {
        return queued >= Math.min(HOLD_FRAMES, maxFrames / 2) || bytes >= Math.min(HOLD_BYTES, maxBytes / 2);
    }

    /** @return the listener given at construction */
    Listener listener() {
        return listener;
    }

    /** Ends a batch window; returns whether the caller became the writer. */
    private boolean release() {
        synchronized (this) {
            windowOpen = false;
            if (!writing && queued > 0) {
                writing = true;
                return true;
            }
            return false;
        }
    }

    /**
     * Takes no more frames, keeping what is queued: for a connection that missed an event, which is closed
     * once the publish lock is released. A newer event must not be written past the missed one, or the
     * client would resume after it.
     */
    synchronized void stopTaking() {
        stopped = true;
    }

    /**
     * Stops accepting frames. Frames already queued are still written, then the listener's
     * {@link Listener#lastFrame()}; then the listener's {@link Listener#drained()} is called (at once if
     * nothing is queued or in flight and there is no last frame).
     *
     * @param discard drop everything queued instead of flushing it (the last frame is still written, after
     *     the send in flight)
     */
    void close(boolean discard) {
        boolean startWriter;
        synchronized (this) {
            if (finished || (closed && !discard)) {
                return;
            }
            closed = true;
            windowOpen = false;
            if (discard) {
                clearRing();
            }
            startWriter = !writing;
            writing = true;
        }
        if (startWriter) {
            drain();
        }
    }

    /**
     * Writes batches until the queue is empty or a send completes on another thread. Only the writer
     * calls it: the thread that got {@link Offer#QUEUED_START_WRITER}, or the completion of the previous send.
     */
    void drain() {
        write(null);
    }

    /**
     * Starts the writer with a batch the caller owns (the event's shared single-frame batch), then drains.
     *
     * @param first an immutable batch, already counted as delivered
     */
    void startWith(List<OutboundFrame> first) {
        write(first);
    }

    private void write(List<OutboundFrame> first) {
        List<OutboundFrame> next = first;
        if (first != null && queued > 0) {
            // Started late (by a fan-out thread): later events queued meanwhile go in the same send. The
            // unlocked read is only a hint; a stale zero costs one more send, never a lost frame.
            synchronized (this) {
                if (queued > 0) {
                    takeBatch(first);
                    next = this;
                }
            }
        }
        if (next == first && first != null) {
            countBytesInFlight(first);
        }
        while (true) {
            if (next == null) {
                boolean notifyDrained = false;
                boolean askLast = false;
                synchronized (this) {
                    if (queued == 0) {
                        if (closed && !finished && !lastAsked) {
                            // still the writer: the last frame goes out before the queue counts as drained
                            lastAsked = true;
                            askLast = true;
                        } else {
                            releaseSmallArrays();
                            writing = false;
                            if (!closed || finished) {
                                return;
                            }
                            finished = true;
                            notifyDrained = true;
                        }
                    } else {
                        takeBatch(null);
                    }
                }
                if (notifyDrained) {
                    listener.drained();
                    return;
                }
                if (askLast) {
                    OutboundFrame last = listener.lastFrame();
                    if (last == null) {
                        continue;
                    }
                    next = List.of(last);
                    countBytesInFlight(next);
                } else {
                    next = this;
                }
            }
            senderId = Thread.currentThread().getId();
            completedOnSender = false;
            long started = ((sendState >>> SENDS_SHIFT) + 1) & SENDS_MASK;
            SEND_STATE.setRelease(this, started << SENDS_SHIFT | Math.min(nextBatchBytes, BYTES_MASK));
            PHASE.setRelease(this, SENDING);
            try {
                transport.send(next, this);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (!completedOnSender && PHASE.compareAndSet(this, SENDING, RETURNED)) {
                return;
            }
            batchWritten();
            next = null;
        }
    }

    @Override
    public void completed() {
        if (senderId == Thread.currentThread().getId() && phase == SENDING) {
            completedOnSender = true;
            return;
        }
        if (PHASE.compareAndSet(this, SENDING, COMPLETED_ELSEWHERE)) {
            return;
        }
        batchWritten();
        drain();
    }

    @Override
    public void failed(Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        synchronized (this) {
            closed = true;
            finished = true;
            writing = false;
            clearRing();
        }
        // only now: a sender still returning from send (a ping failed on its own thread) sees the queue
        // finished when it loops, instead of taking another batch while this one is cleared
        phase = RETURNED;
        clearBatch();
        listener.failed(cause);
    }

    /** The batch view: only valid for the transport during {@code send}. */
    @Override
    public OutboundFrame get(int index) {
        Objects.checkIndex(index, batchSize);
        return batch[index];
    }

    /** @return the number of frames in the batch being sent */
    @Override
    public int size() {
        return batchSize;
    }

    /** @return frames waiting, the batch in flight not included */
    synchronized int queued() {
        return queued;
    }

    /** @return bytes waiting, the batch in flight not included */
    synchronized long queuedBytes() {
        return bytes;
    }

    /**
     * @return how many more frames the queue takes before it is full (the batch in flight not counted), less
     *     {@code 1/}{@link #RESERVE_SHARE} of its bound, kept for what arrives after a resume's replay
     */
    synchronized int spareFrames() {
        return maxFrames - maxFrames / RESERVE_SHARE - queued;
    }

    /** @return like {@link #spareFrames()}, in bytes */
    synchronized long spareBytes() {
        return maxBytes - maxBytes / RESERVE_SHARE - bytes;
    }

    /**
     * @param frame a frame
     * @return whether the queue could hold the frame when empty: a frame above its byte bound is refused
     *     however fast the client reads, and the refusal ends the connection
     */
    boolean canEverHold(OutboundFrame frame) {
        return frame.length() <= maxBytes;
    }

    /** @return how many sends have completed */
    int completions() {
        return (int) COMPLETIONS.getAcquire(this);
    }

    /** @return how many keep-alives ({@link OutboundFrame#PING}) have been written */
    long pingsWritten() {
        return (long) PINGS_WRITTEN.getAcquire(this);
    }

    /** Notes the bytes of a batch that was not taken from the ring (writer only). */
    private void countBytesInFlight(List<OutboundFrame> frames) {
        long n = 0;
        for (int i = 0, size = frames.size(); i < size; i++) {
            n += frames.get(i).length();
        }
        nextBatchBytes = n;
    }

    /**
     * @return the sends handed to the transport and the bytes of the last one, to read with {@link #sendsStarted}
     *     and {@link #bytesInFlight}; read it before {@link #completions()}
     */
    long sendState() {
        return (long) SEND_STATE.getAcquire(this);
    }

    /** @return of a {@link #sendState()}, the sends started, in the low {@link #SENDS_MASK} bits */
    static int sendsStarted(long sendState) {
        return (int) (sendState >>> SENDS_SHIFT);
    }

    /** @return of a {@link #sendState()}, the bytes of the last send, which is in flight if one is */
    static long bytesInFlight(long sendState) {
        return sendState & BYTES_MASK;
    }

    /** The send in flight completed (writer only): counts it and its keep-alives, and lets its frames go. */
    private void batchWritten() {
        COMPLETIONS.setRelease(this, completions + 1);
        if (batchPings > 0) {
            PINGS_WRITTEN.setRelease(this, pingsWritten + batchPings);
            batchPings = 0;
        }
        clearBatch();
    }

    /** @return whether nothing is queued and nothing is being written */
    synchronized boolean idle() {
        return queued == 0 && !writing;
    }

    private void clearBatch() {
        if (batchSize > 0) {
            Arrays.fill(batch, 0, batchSize, null);
            batchSize = 0;
        }
    }

    /**
     * Moves up to a batch's worth of frames from the ring into the batch. Caller holds the monitor.
     *
     * @param prefix frames that go first (an event not stored in the ring), or {@code null}
     */
    private void takeBatch(List<OutboundFrame> prefix) {
        int before = prefix == null ? 0 : prefix.size();
        int n = Math.min(queued + before, MAX_BATCH_FRAMES + before);
        if (batch == null || batch.length < n) {
            batch = new OutboundFrame[Math.max(n,
                    Math.min(MAX_BATCH_FRAMES, batch == null ? INITIAL_SLOTS : batch.length * 2))];
        }
        long taken = 0;
        int k = 0;
        int pings = 0;
        for (int i = 0; i < before; i++) {
            OutboundFrame f = prefix.get(i);
            taken += f.length();
            batch[k++] = f;
            if (f == OutboundFrame.PING) {
                pings++;
            }
        }
        while (k < n && (k == 0 || taken < MAX_BATCH_BYTES)) {
            OutboundFrame f = ring[head];
            ring[head] = null;
            head = head + 1 == ring.length ? 0 : head + 1;
            queued--;
            bytes -= f.length();
            taken += f.length();
            batch[k++] = f;
            if (f == OutboundFrame.PING) {
                pings++;
            }
        }
        batchSize = k;
        batchPings = pings;
        nextBatchBytes = taken;
        if (wrap != null && k > 1) {
            wrapMessages();
        }
    }

    /** Replaces the batch's messages by one batch message (keep-alives stay separate). Caller holds the monitor. */
    private void wrapMessages() {
        List<byte[]> parts = new ArrayList<>(batchSize);
        int pings = 0;
        for (int i = 0; i < batchSize; i++) {
            if (batch[i].kind() == OutboundFrame.Kind.MESSAGE) {
                parts.add(batch[i].bytes());
            } else {
                pings++;
            }
        }
        if (parts.size() < 2) {
            return;
        }
        clearBatch();
        batch[batchSize++] = OutboundFrame.message(wrap.apply(parts), false);
        for (int i = 0; i < pings; i++) {
            batch[batchSize++] = OutboundFrame.PING;
        }
    }

    private void push(OutboundFrame frame) {
        if (ring == null) {
            ring = new OutboundFrame[Math.min(maxFrames, INITIAL_SLOTS)];
        } else if (queued == ring.length) {
            OutboundFrame[] bigger = new OutboundFrame[Math.min(maxFrames, ring.length * 2)];
            for (int i = 0; i < queued; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + queued) % ring.length] = frame;
        queued++;
        bytes += frame.length();
    }

    /** Drops the oldest droppable frames until {@code len} more bytes and one more frame fit. */
    private int dropOldestFor(int len) {
        int dropped = 0;
        List<OutboundFrame> kept = new ArrayList<>(queued);
        for (int i = 0; i < queued; i++) {
            OutboundFrame f = ring[(head + i) % ring.length];
            boolean stillFull = queued - dropped >= maxFrames || bytes + len > maxBytes;
            if (stillFull && f.droppable()) {
                dropped++;
                bytes -= f.length();
            } else {
                kept.add(f);
            }
        }
        if (dropped > 0) {
            clearRing();
            for (OutboundFrame f : kept) {
                push(f);
            }
        }
        return dropped;
    }

    /**
     * Lets go of a ring and a batch array still at their first size once nothing is queued or being written
     * (caller holds the monitor and is the writer): an idle connection then holds neither. Larger ones, grown
     * by a connection that has been busy, are kept.
     */
    private void releaseSmallArrays() {
        if (ring != null && ring.length <= INITIAL_SLOTS) {
            ring = null;
            head = 0;
        }
        if (batch != null && batch.length <= INITIAL_SLOTS && batchSize == 0) {
            batch = null;
        }
    }

    private void clearRing() {
        for (int i = 0; i < queued; i++) {
            ring[(head + i) % ring.length] = null;
        }
        head = 0;
        queued = 0;
        bytes = 0;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
