package io.herald.transport.jakarta.internal;

import java.time.Duration;

/**
 * The timeouts Herald gives every WebSocket session, whichever API serves it ({@link HeraldEndpoint} on a
 * Jakarta container, {@link JettyConnection} on Jetty's core API). Stateless.
 */
final class SessionLimits {
    /** The least time a send may take before the session is failed. */
    static final long MIN_SEND_TIMEOUT_MS = 5_000;

    private SessionLimits() {
    }

    /**
     * @param heartbeat the hub's heartbeat
     * @return how long one send may take: a heartbeat, but at least {@link #MIN_SEND_TIMEOUT_MS}; a client
     *     that stops reading is then cut even when its queue never overflows
     */
    static long sendTimeoutMs(Duration heartbeat) {
        return Math.max(heartbeat.toMillis(), MIN_SEND_TIMEOUT_MS);
    }

    /**
     * @param heartbeat the hub's heartbeat
     * @return the least idle timeout a container may keep: six heartbeats (the hub closes a silent client
     *     silent for more than two heartbeats once its ping was written a heartbeat before, or for more than
     *     four when its writes stopped, checking once per heartbeat; while writes complete the container sees
     *     the connection busy)
     */
    static long minIdleTimeoutMs(Duration heartbeat) {
        long a = heartbeat.toMillis();
        long r = a * 6;
        return r / 6 == a ? r : Long.MAX_VALUE;
    }
}
