package io.herald.transport.jakarta.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timer that bounds the close handshakes of the connections one {@link UpgradeServlet} serves: one
 * daemon thread named {@code herald-ws-close-timer}, started when a close is first timed and stopped with the
 * servlet, so a redeployed web application leaves no thread behind. A task only ends a connection, which
 * never blocks; a cancelled one leaves the queue at once, so the queue holds at most one task per closing
 * connection.
 */
final class CloseTimer {
    private final ScheduledThreadPoolExecutor timer;

    CloseTimer() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "herald-ws-close-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * @return the scheduled task, or {@code null} once the timer is stopped: the caller then runs the task
     *     itself
     */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return timer.schedule(task, delay, unit);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /**
     * Stops the thread, first running the tasks still waiting (each ends a connection whose close was
     * waited for); closes timed from now on are not waited for.
     */
    void stop() {
        for (Runnable waiting : timer.shutdownNow()) {
            waiting.run();
        }
    }
}
