package io.herald.internal;

import io.herald.spi.OutboundFrame;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads that start the writers of one event's recipients, so a publish to many connections neither
 * writes every socket on the publishing thread nor uses only one core.
 *
 * <p>Why it exists: when the publishing thread writes to each recipient itself, every delivery is one
 * socket write (the writer is idle again by the next event), the last recipient waits for all the others
 * on one core, and the publisher cannot accept its next event meanwhile. Handing the writers to these
 * threads lets the publisher go on; while they work through one event's recipients, the next events queue
 * behind the writers that are already started, and each writer then sends everything queued as one batch,
 * which the transport writes with one system call.
 *
 * <p>A publish that starts only a few writers (a reply, a direct send, a small room) stays on the
 * publishing thread: a hand-off would cost more than it saves. Work is queued in chunks of recipients, so
 * a large fan-out spreads over all threads. The queue cannot grow without bound: a writer that waits
 * here counts as running, so a connection is in at most one queued chunk.
 */
final class FanoutThreads {
    /** At most this many writers are started on the publishing thread itself. */
    static final int INLINE_MAX = 4;
    /** The most writers in one chunk, and how many are handed over while the publisher still queues. */
    static final int CHUNK = 64;
    private static final Logger LOG = LoggerFactory.getLogger(FanoutThreads.class);

    /** A run of writers to start, with the batch each starts with ({@code null}: drain its queue). */
    private record Chunk(Outbound[] writers, List<OutboundFrame>[] firsts, int from, int to) {
        void run() {
            for (int i = from; i < to; i++) {
                start(writers[i], firsts[i]);
            }
        }
    }

    private final LinkedBlockingQueue<Chunk> work = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private volatile boolean stopped;

    /**
     * @param count the number of threads, at least 1
     * @param node the node name, for thread names
     */
    FanoutThreads(int count, String node) {
        threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::loop, "herald-fanout-" + node + "-" + i);
            t.setDaemon(true);
            threads[i] = t;
            t.start();
        }
    }

    /**
     * Hands a run of writers to the threads at once, while the caller may still be queueing the same event
     * to more recipients under the publish lock: this only enqueues. The arrays' entries up to {@code to}
     * must not change any more; later entries may still be added.
     *
     * @return {@code false} when the threads are stopped and the caller must start these writers itself
     */
    boolean handOver(Outbound[] writers, List<OutboundFrame>[] firsts, int from, int to) {
        if (stopped) {
            return false;
        }
        work.add(new Chunk(writers, firsts, from, to));
        return true;
    }

    /**
     * Starts the rest of an event's writers: here when the event has few recipients in all or the threads
     * are stopped, else on the fan-out threads. The arrays become this object's; the caller must not reuse
     * them. Call with the publish lock released.
     *
     * @param writers the writers to start
     * @param firsts the batch each writer starts with, {@code null} to drain its queue
     * @param from the first entry not {@linkplain #handOver handed over} yet
     * @param count how many entries are used
     */
    void start(Outbound[] writers, List<OutboundFrame>[] firsts, int from, int count) {
        if (count <= INLINE_MAX || stopped) {
            new Chunk(writers, firsts, from, count).run();
        } else if (from < count) {
            int chunk = Math.min(CHUNK, (count - from + threads.length - 1) / threads.length);
            for (int i = from; i < count; i += chunk) {
                work.add(new Chunk(writers, firsts, i, Math.min(count, i + chunk)));
            }
        }
        if (stopped) {
            // stop() raced with a hand-off: nobody may be left to take what was queued
            runQueued();
        }
    }

    static void start(Outbound writer, List<OutboundFrame> first) {
        try {
            if (first == null) {
                writer.drain();
            } else {
                writer.startWith(first);
            }
        } catch (RuntimeException e) {
            LOG.error("starting the writer of {} failed", writer.owner.id(), e);
        }
    }

    private void loop() {
        while (!stopped) {
            try {
                Chunk c = work.poll(1, TimeUnit.SECONDS);
                if (c != null) {
                    c.run();
                }
            } catch (InterruptedException e) {
                // the hub never interrupts these threads (see stop()); a stray interrupt only ends this wait
            }
        }
        runQueued();
    }

    private void runQueued() {
        for (Chunk c = work.poll(); c != null; c = work.poll()) {
            c.run();
        }
    }

    /**
     * Stops the threads once they ran what is queued (within a second); later starts run on the caller's
     * thread. The threads are not interrupted: one may be inside a transport's socket write, and an
     * interrupted NIO write closes the channel.
     */
    void stop() {
        stopped = true;
    }
}
