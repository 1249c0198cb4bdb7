package io.herald;

/**
 * Counters (monotonic since the hub started) and gauges (current values), from {@link Hub#metrics()}.
 * Reads are cheap and thread-safe; values read together are not an atomic snapshot.
 */
public interface HubMetrics {
    /** @return open connections (gauge) */
    long connections();

    /** @return subscriptions held by open connections (gauge) */
    long subscriptions();

    /** @return rooms with members (gauge) */
    long rooms();

    /** @return events accepted by publish, emit and sends (counter) */
    long eventsPublished();

    /** @return event frames queued to connections (counter) */
    long eventsDelivered();

    /** @return event frames dropped by the drop-oldest policy (counter) */
    long eventsDropped();

    /** @return connections closed because their queue overflowed (counter) */
    long slowConsumerDisconnects();

    /** @return requests refused for a rate limit, handshakes included (counter) */
    long rateLimited();

    /** @return frames waiting in all outbound queues (gauge) */
    long queuedFrames();

    /** @return requests answered with an error frame (counter) */
    long errors();
}
