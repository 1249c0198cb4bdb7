package io.herald.internal;

import io.herald.spi.OutboundFrame;
import io.herald.spi.Framing;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Work collected while the publish lock is held and done after it is released: writers to start and
 * slow consumers to close. Locks never cover I/O, so nothing here writes under the lock.
 *
 * <p>A publish to many connections does not wait for the last recipient to be queued before the first
 * is written: acquired with the fan-out threads, each full chunk of writers is handed to them while the
 * publisher goes on queueing (handing over only enqueues; the threads write with no lock of the
 * publisher's held). Queueing one event to 1,000 connections took about 0.3 ms here, which every
 * recipient used to wait for.
 *
 * <p>Each publishing thread reuses its own instance ({@link #acquire}); a nested publish on the same
 * thread (a listener or synchronous transport publishing again) gets a fresh one.
 */
final class Deliveries {
    private static final ThreadLocal<Deliveries> CACHED = ThreadLocal.withInitial(Deliveries::new);

    /**
     * Writers to start, and the batch each starts with ({@code null}: drain its queue). Allocated per
     * publish on purpose: storing into a young array costs no garbage-collector write barrier, storing
     * into a long-lived one does, once per recipient.
     */
    private Outbound[] writers;
    private List<OutboundFrame>[] firsts;
    private int writerCount;
    /** Writers before this index were already handed to {@link #threads}. */
    private int handed;
    /** Where a large fan-out's writers start, {@code null}: on the thread that finishes. */
    private FanoutThreads threads;
    /** How many writers the previous use started: the next arrays start at that size. */
    private int sizeHint = 16;
    private Outbound[] overflows = new Outbound[4];
    private int overflowCount;
    private int delivered;
    private boolean busy;

    private Deliveries() {
    }

    /**
     * @param threads where the writers start when there are many, even before {@link #finish}; {@code null}:
     *     all on the thread that finishes
     * @return this thread's scratch, or a new one if it is in use further up the stack
     */
    static Deliveries acquire(FanoutThreads threads) {
        Deliveries d = CACHED.get();
        if (d.busy) {
            d = new Deliveries();
        }
        d.busy = true;
        d.threads = threads;
        return d;
    }

    /**
     * Queues a frame to a connection, remembering what to do once the lock is released.
     *
     * @param to the recipient's queue
     * @param frame the frame; {@code null} (a message the connection's framing does not carry) is ignored
     * @param isEvent whether it counts as a delivered event
     */
    void offer(Outbound to, OutboundFrame frame, boolean isEvent) {
        if (frame == null) {
            return;
        }
        switch (to.offer(frame)) {
            case QUEUED_START_WRITER -> {
                addWriter(to, null);
                if (isEvent) {
                    delivered++;
                }
            }
            case QUEUED -> {
                if (isEvent) {
                    delivered++;
                }
            }
            case OVERFLOW -> addOverflow(to);
            case CLOSED -> {
                // the connection is closing; it no longer takes frames
            }
        }
    }

    /**
     * Queues an event to a connection; an idle writer is started later with the event's shared batch,
     * so nothing is stored in the connection's queue.
     *
     * @param to the recipient's queue
     * @param frame the event's frame for the recipient's framing ({@code event.frame(framing)})
     * @param event the event
     * @param framing the recipient's framing
     */
    void offerEvent(Outbound to, OutboundFrame frame, EncodedEvent event, Framing framing) {
        switch (to.offer(frame, true)) {
            case QUEUED_START_WRITER -> {
                addWriter(to, event.batch(framing));
                delivered++;
            }
            case QUEUED -> delivered++;
            case OVERFLOW -> addOverflow(to);
            case CLOSED -> {
                // the connection is closing; it no longer takes frames
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void addWriter(Outbound w, List<OutboundFrame> first) {
        if (writers == null) {
            writers = new Outbound[sizeHint];
            firsts = new List[sizeHint];
        } else if (writerCount == writers.length) {
            writers = Arrays.copyOf(writers, writerCount * 2);
            firsts = Arrays.copyOf(firsts, writerCount * 2);
        }
        writers[writerCount] = w;
        firsts[writerCount] = first;
        writerCount++;
        if (threads != null && writerCount - handed == FanoutThreads.CHUNK
                && threads.handOver(writers, firsts, handed, writerCount)) {
            handed = writerCount;
        }
    }

    private void addOverflow(Outbound o) {
        if (overflowCount == overflows.length) {
            overflows = Arrays.copyOf(overflows, overflowCount * 2);
        }
        overflows[overflowCount++] = o;
    }

    /**
     * Starts the writers not yet handed over (on the fan-out threads when acquired with them and there are
     * many) and closes the slow consumers, then makes the scratch reusable. Call with the publish lock
     * released.
     *
     * @param slowConsumer closes one connection whose queue overflowed
     * @return how many event frames were queued
     */
    int finish(Consumer<Connection> slowConsumer) {
        try {
            if (threads != null && writerCount > 0) {
                threads.start(writers, firsts, handed, writerCount);
            } else {
                for (int i = 0; i < writerCount; i++) {
                    FanoutThreads.start(writers[i], firsts[i]);
                }
            }
            for (int i = 0; i < overflowCount; i++) {
                Outbound o = overflows[i];
                overflows[i] = null;
                slowConsumer.accept(o.owner);
            }
            return delivered;
        } finally {
            sizeHint = Math.max(16, writerCount);
            writers = null;
            firsts = null;
            writerCount = 0;
            handed = 0;
            threads = null;
            overflowCount = 0;
            delivered = 0;
            busy = false;
        }
    }
}
