package io.herald.internal;

import java.util.ArrayDeque;

/**
 * One connection's listener calls, run in the order of the changes they report. A change adds its call
 * while it holds the lock that orders it against the connection's other changes (the connection's lock,
 * for joins, leaves and the end of a close), so the order of the calls is the order of the changes; the
 * calls run outside every lock, one at a time, on whichever thread adding or finishing one finds none
 * running. A listener that closes its own connection therefore gets {@code onDisconnected} after it
 * returns, on the same thread, and never deadlocks.
 *
 * <p>Held while the connection opens: nothing runs until {@link #opened} runs {@code onConnected}, so a
 * connection closed while it opened reports its {@code onConnected} before its {@code onDisconnected}.
 *
 * <p>Thread-safe. The queue is allocated only when a call has to wait, so an idle connection holds none.
 */
final class ListenerEvents {
    /** Calls waiting their turn; guarded by {@code this}. */
    private ArrayDeque<Runnable> pending;
    /** Whether some thread is running calls (or the connection is still opening); guarded by {@code this}. */
    private boolean running = true;

    /** Adds a call behind those already added. Call {@link #run()} once outside the caller's locks. */
    synchronized void add(Runnable call) {
        if (pending == null) {
            pending = new ArrayDeque<>(4);
        }
        pending.add(call);
    }

    /** Runs the calls added and not yet run, unless another thread is running them (it then runs these too). */
    void run() {
        Runnable first;
        synchronized (this) {
            if (running || pending == null || (first = pending.poll()) == null) {
                return;
            }
            running = true;
        }
        drain(first);
    }

    /** Ends the hold of an opening connection: runs {@code connected}, then what was added meanwhile. */
    void opened(Runnable connected) {
        drain(connected);
    }

    private void drain(Runnable first) {
        Runnable next = first;
        try {
            while (next != null) {
                next.run();
                synchronized (this) {
                    next = pending == null ? null : pending.poll();
                    if (next == null) {
                        running = false;
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                running = false;
            }
            throw e;
        }
    }
}
