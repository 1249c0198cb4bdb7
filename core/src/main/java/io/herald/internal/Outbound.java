package io.herald.internal;

import io.herald.SlowConsumerPolicy;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One connection's bounded outbound queue and its writer.
 *
 * <p>Frames are offered by any thread (publishers, the request thread, the heartbeat). The queue is a
 * ring bounded by frame count and bytes; its lock covers only the ring, never the transport. At most one
 * {@link Transport#send} is in flight: whoever finds the writer idle becomes the writer and drains
 * everything queued as one batch; the send's completion continues with the next batch on whatever thread
 * completed it. A completion that arrives before {@code send} returns is detected and continued in a loop,
 * so synchronous transports do not recurse.
 */
final class Outbound implements SendCallback {
    /** What {@link #offer} did. */
    enum Offer {
        /** Queued; the writer is already running or was started by someone else. */
        QUEUED,
        /** Queued and the caller must call {@link #drain()}: it became the writer. */
        QUEUED_START_WRITER,
        /** The queue is full under the disconnect policy (or full of undroppable frames). */
        OVERFLOW,
        /** The queue no longer accepts frames. */
        CLOSED
    }

    private static final int SENDING = 0;
    private static final int RETURNED = 1;
    private static final int COMPLETED_INLINE = 2;
    private static final int MAX_BATCH_FRAMES = 256;
    private static final long MAX_BATCH_BYTES = 256 * 1024;

    private final Transport transport;
    private final int maxFrames;
    private final long maxBytes;
    private final SlowConsumerPolicy policy;
    private final Listener listener;
    private final int batchMs;
    private final ScheduledExecutorService scheduler;
    private final Function<List<byte[]>, byte[]> wrap;
    private final Object lock = new Object();
    private final ArrayList<OutboundFrame> batch = new ArrayList<>();
    private final AtomicInteger sendPhase = new AtomicInteger(RETURNED);

    private OutboundFrame[] ring;
    private int head;
    private int size;
    private long bytes;
    private boolean writing;
    private boolean held;
    private boolean closed;
    private boolean finished;
    private long batchBytes;

    /** Told about the queue's outcomes; called without the queue's lock held. */
    interface Listener {
        /** @param frames volatile frames discarded to make room */
        void dropped(int frames);

        /** The writer ran out of frames after a close was requested: the transport may be closed. */
        void drained();

        /** @param cause the transport failed a send; the connection is unusable */
        void failed(Throwable cause);
    }

    /**
     * @param batchMs when positive, frames wait this long after the first one so the client gets them together
     * @param scheduler runs the batch flushes
     * @param wrap joins several encoded messages into one batch message; {@code null} to write them as they
     *     are (SSE, where one write carries many events anyway)
     */
    Outbound(Transport transport, int maxFrames, long maxBytes, SlowConsumerPolicy policy, Listener listener,
            int batchMs, ScheduledExecutorService scheduler, Function<List<byte[]>, byte[]> wrap) {
        this.batchMs = batchMs;
        this.scheduler = scheduler;
        this.wrap = wrap;
        this.transport = transport;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.policy = policy;
        this.listener = listener;
        this.ring = new OutboundFrame[Math.min(maxFrames, 16)];
    }

    /**
     * Queues a frame. Never blocks on the transport.
     *
     * @param frame the frame
     * @return the outcome; on {@link Offer#QUEUED_START_WRITER} the caller must call {@link #drain()}
     *     (after releasing any lock of its own)
     */
    Offer offer(OutboundFrame frame) {
        int dropped = 0;
        Offer result;
        synchronized (lock) {
            if (closed) {
                return Offer.CLOSED;
            }
            int len = frame.length();
            if (size == maxFrames || bytes + len > maxBytes) {
                if (policy == SlowConsumerPolicy.DROP_OLDEST) {
                    dropped = dropOldestFor(len);
                }
                if (size == maxFrames || bytes + len > maxBytes) {
                    return Offer.OVERFLOW;
                }
            }
            push(frame);
            boolean startBatchWindow = false;
            if (!writing && !held) {
                if (batchMs > 0) {
                    held = true;
                    startBatchWindow = true;
                    result = Offer.QUEUED;
                } else {
                    writing = true;
                    result = Offer.QUEUED_START_WRITER;
                }
            } else {
                result = Offer.QUEUED;
            }
            if (startBatchWindow) {
                scheduleFlush();
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
                if (hold(false)) {
                    drain();
                }
            }, batchMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            held = false;
        }
    }

    /**
     * Holds or releases the writer: while held, frames queue up but are not sent (client-requested
     * batching). Releasing returns whether the caller must call {@link #drain()}.
     *
     * @param hold {@code true} to hold
     * @return whether the caller became the writer
     */
    boolean hold(boolean hold) {
        synchronized (lock) {
            held = hold;
            if (!hold && !writing && size > 0) {
                writing = true;
                return true;
            }
            return false;
        }
    }

    /**
     * Stops accepting frames. Frames already queued are still written; when the queue is empty the
     * listener's {@link Listener#drained()} is called (at once if nothing is queued or in flight).
     *
     * @param discard drop everything queued instead of flushing it
     */
    void close(boolean discard) {
        boolean startWriter;
        synchronized (lock) {
            if (finished || (closed && !discard)) {
                return;
            }
            closed = true;
            held = false;
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

    /** Writes batches until the queue is empty or a send completes asynchronously. Only the writer calls it. */
    void drain() {
        while (true) {
            boolean notifyDrained;
            synchronized (lock) {
                if (size == 0) {
                    writing = false;
                    if (!closed || finished) {
                        return;
                    }
                    finished = true;
                    notifyDrained = true;
                } else {
                    notifyDrained = false;
                    takeBatch();
                }
            }
            if (notifyDrained) {
                listener.drained();
                return;
            }
            sendPhase.set(SENDING);
            try {
                transport.send(batch, this);
            } catch (RuntimeException e) {
                sendPhase.set(RETURNED);
                fail(e);
                return;
            }
            if (sendPhase.compareAndSet(SENDING, RETURNED)) {
                return;
            }
            batch.clear();
        }
    }

    @Override
    public void completed() {
        if (sendPhase.compareAndSet(SENDING, COMPLETED_INLINE)) {
            return;
        }
        batch.clear();
        drain();
    }

    @Override
    public void failed(Throwable cause) {
        sendPhase.set(RETURNED);
        fail(cause);
    }

    private void fail(Throwable cause) {
        synchronized (lock) {
            closed = true;
            finished = true;
            writing = false;
            clearRing();
            batch.clear();
        }
        listener.failed(cause);
    }

    /** @return frames waiting, the batch in flight not included */
    int size() {
        synchronized (lock) {
            return size;
        }
    }

    /** @return bytes waiting, the batch in flight not included */
    long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    /** @return whether nothing is queued and nothing is being written */
    boolean idle() {
        synchronized (lock) {
            return size == 0 && !writing;
        }
    }

    /** Takes up to a batch's worth of frames off the ring into {@link #batch}. Caller holds the lock. */
    private void takeBatch() {
        batchBytes = 0;
        while (size > 0 && batch.size() < MAX_BATCH_FRAMES && (batch.isEmpty() || batchBytes < MAX_BATCH_BYTES)) {
            OutboundFrame f = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            bytes -= f.length();
            batchBytes += f.length();
            batch.add(f);
        }
        if (wrap != null && batch.size() > 1) {
            wrapMessages();
        }
    }

    /** Replaces the batch's messages by one batch message (keep-alives stay separate). Caller holds the lock. */
    private void wrapMessages() {
        List<byte[]> parts = new ArrayList<>(batch.size());
        int pings = 0;
        for (OutboundFrame f : batch) {
            if (f.kind() == OutboundFrame.Kind.MESSAGE) {
                parts.add(f.bytes());
            } else {
                pings++;
            }
        }
        if (parts.size() < 2) {
            return;
        }
        batch.clear();
        batch.add(OutboundFrame.message(wrap.apply(parts), false));
        for (int i = 0; i < pings; i++) {
            batch.add(OutboundFrame.PING);
        }
    }

    private void push(OutboundFrame frame) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = frame;
        size++;
        bytes += frame.length();
    }

    private void grow() {
        OutboundFrame[] bigger = new OutboundFrame[Math.min(maxFrames, ring.length * 2)];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    /** Drops the oldest droppable frames until {@code len} more bytes and one more frame fit. */
    private int dropOldestFor(int len) {
        int dropped = 0;
        List<OutboundFrame> kept = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            OutboundFrame f = ring[(head + i) % ring.length];
            boolean stillFull = size - dropped >= maxFrames || bytes + len > maxBytes;
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

    private void clearRing() {
        for (int i = 0; i < size; i++) {
            ring[(head + i) % ring.length] = null;
        }
        head = 0;
        size = 0;
        bytes = 0;
    }
}
