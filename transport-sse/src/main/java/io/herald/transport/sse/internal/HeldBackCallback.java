package io.herald.transport.sse.internal;

import io.herald.spi.SendCallback;

/**
 * A write's callback that holds back an outcome told before {@link #release} — while the writer is still
 * inside the write, holding a lock — and passes it on from {@code release}, on the writer's thread, once the
 * lock is released; an outcome told after {@code release} is passed on at once, on the thread that tells it.
 * The first outcome counts; the target is told exactly once. Thread-safe.
 */
final class HeldBackCallback implements SendCallback {
    private final SendCallback target;
    private boolean released;
    private boolean told;
    private Throwable failure;

    /** @param target told the outcome, never while this object's monitor is held */
    HeldBackCallback(SendCallback target) {
        this.target = target;
    }

    @Override
    public void completed() {
        tell(null);
    }

    @Override
    public void failed(Throwable cause) {
        tell(cause);
    }

    private void tell(Throwable cause) {
        synchronized (this) {
            if (told) {
                return;
            }
            told = true;
            failure = cause;
            if (!released) {
                return;
            }
        }
        pass(cause);
    }

    /** The writer left its lock: passes on an outcome told meanwhile, and any told from now on. */
    void release() {
        Throwable cause;
        synchronized (this) {
            released = true;
            if (!told) {
                return;
            }
            cause = failure;
        }
        pass(cause);
    }

    private void pass(Throwable cause) {
        if (cause == null) {
            target.completed();
        } else {
            target.failed(cause);
        }
    }
}
