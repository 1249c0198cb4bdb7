package io.herald.transport.jakarta.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the Jakarta calls that may block, so that no hub thread ever does: {@code RemoteEndpoint.sendPing}
 * (Jetty and Tomcat wait until the ping is written), and {@code Session.close} (Tomcat writes the close
 * frame with a blocking send). Both return at once while the client reads; they block only against a
 * client whose socket buffer is full, and then at most the send timeout {@link HeraldEndpoint} sets.
 *
 * <p>One pool per endpoint configuration: {@value #THREADS} daemon threads named
 * {@code herald-ws-control-<node>-<n>}, started on demand and ended after {@value #KEEP_ALIVE_SECONDS}
 * idle seconds, so nothing needs stopping; a bounded queue of {@value #QUEUE} tasks. Each connection has at
 * most one ping and one close here at a time.
 */
final class ControlThreads implements Executor {
    static final int THREADS = 4;
    static final int QUEUE = 65_536;
    static final int KEEP_ALIVE_SECONDS = 30;

    private final ThreadPoolExecutor pool;

    ControlThreads(String node) {
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "herald-ws-control-" + node + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.pool.allowCoreThreadTimeOut(true);
    }

    /**
     * @param task a task that may block for at most the send timeout
     * @throws RejectedExecutionException when the queue is full
     */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }
}
