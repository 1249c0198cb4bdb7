package io.herald.internal;

import io.herald.spi.OutboundFrame;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Work collected while the publish lock is held and done after it is released: writers to start and
 * slow consumers to close. Locks never cover I/O, so nothing here runs under the lock.
 *
 * <p>Each publishing thread reuses its own instance ({@link #acquire()}); a nested publish on the same
 * thread (a listener or synchronous transport publishing again) gets a fresh one.
 */
final class Deliveries {
    private static final ThreadLocal<Deliveries> CACHED = ThreadLocal.withInitial(Deliveries::new);

    private Outbound[] writers = new Outbound[64];
    private int writerCount;
    private Outbound[] overflows = new Outbound[4];
    private int overflowCount;
    private int delivered;
    private boolean busy;

    private Deliveries() {
    }

    /** @return this thread's scratch, or a new one if it is in use further up the stack */
    static Deliveries acquire() {
        Deliveries d = CACHED.get();
        if (d.busy) {
            d = new Deliveries();
        }
        d.busy = true;
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
                if (writerCount == writers.length) {
                    writers = Arrays.copyOf(writers, writerCount * 2);
                }
                writers[writerCount++] = to;
                if (isEvent) {
                    delivered++;
                }
            }
            case QUEUED -> {
                if (isEvent) {
                    delivered++;
                }
            }
            case OVERFLOW -> {
                if (overflowCount == overflows.length) {
                    overflows = Arrays.copyOf(overflows, overflowCount * 2);
                }
                overflows[overflowCount++] = to;
            }
            case CLOSED -> {
                // the connection is closing; it no longer takes frames
            }
        }
    }

    /**
     * Starts the writers and closes the slow consumers, then makes the scratch reusable.
     *
     * @param slowConsumer closes one connection whose queue overflowed
     * @return how many event frames were queued
     */
    int finish(Consumer<Connection> slowConsumer) {
        try {
            for (int i = 0; i < writerCount; i++) {
                Outbound w = writers[i];
                writers[i] = null;
                w.drain();
            }
            for (int i = 0; i < overflowCount; i++) {
                Outbound o = overflows[i];
                overflows[i] = null;
                slowConsumer.accept(o.owner);
            }
            return delivered;
        } finally {
            writerCount = 0;
            overflowCount = 0;
            delivered = 0;
            busy = false;
        }
    }
}
