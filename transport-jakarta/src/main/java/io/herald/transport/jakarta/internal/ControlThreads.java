package io.herald.transport.jakarta.internal;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the Jakarta calls that may block, so that no hub thread ever does: {@code RemoteEndpoint.sendPing}
 * (Jetty and Tomcat wait until the ping is written; Tomcat also waits for a text send in flight on the same
 * session, which is why {@link WebSocketTransport} hands a ping over only when none is), and
 * {@code Session.close} (Tomcat writes the close frame with a blocking send). Both return at once while the
 * client reads; they block only against a client whose socket buffer is full, and then at most the send
 * timeout {@link HeraldEndpoint} sets.
 *
 * <p>Pings and closes run on separate pools, so clients whose closes block cannot hold back anyone's
 * keep-alives; and closes of sessions with a send in flight, which may wait for it, run apart from the
 * others, so they cannot hold back the closes of refused, idle or abusive connections either. Each pool per
 * endpoint configuration has {@value #THREADS} daemon threads named {@code herald-ws-ping-<node>-<n>},
 * {@code herald-ws-close-<node>-<n>} and {@code herald-ws-close-stuck-<node>-<n>}, started on demand and ended after
 * {@value #KEEP_ALIVE_SECONDS} idle seconds, so nothing needs stopping. Each connection has at most one ping
 * and one close here at a time, so the queues are bounded by the connections: a fixed capacity below the
 * connection limit would refuse some connections' keep-alives every heartbeat, and those clients, never
 * pinged, would be closed as idle. No writer waits for a close; a writer that hands over a ping is
 * continued by the ping thread once the ping is written.
 */
final class ControlThreads {
    static final int THREADS = 4;
    static final int KEEP_ALIVE_SECONDS = 30;

    private final ThreadPoolExecutor pings;
    private final ThreadPoolExecutor closes;
    private final ThreadPoolExecutor stuckCloses;

    ControlThreads(String node) {
        this.pings = pool("herald-ws-ping-" + node + "-");
        this.closes = pool("herald-ws-close-" + node + "-");
        this.stuckCloses = pool("herald-ws-close-stuck-" + node + "-");
    }

    private static ThreadPoolExecutor pool(String prefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, prefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * @param task a ping that may block for at most the send timeout
     */
    void ping(Runnable task) {
        pings.execute(task);
    }

    /**
     * @param task a close that may block for at most the send timeout
     * @param behindStuckSend whether a send of the session is in flight, which the close may wait for (Tomcat
     *     writes the close frame behind it): such closes have their own threads, so a client that stopped
     *     reading delays no one else's close
     */
    void close(Runnable task, boolean behindStuckSend) {
        (behindStuckSend ? stuckCloses : closes).execute(task);
    }
}
