package io.herald;

/** What happens when a connection's outbound queue is full. */
public enum SlowConsumerPolicy {
    /**
     * Close the connection with 1013 {@code slow-consumer}; the client reconnects and resumes with
     * {@code since}, losing nothing that the history still holds. The default.
     */
    DISCONNECT,
    /**
     * Drop the oldest queued events to make room, counting them in {@link HubMetrics#eventsDropped()}.
     * Answers, errors and control frames are never dropped; if only those fill the queue, the connection is
     * closed as with {@link #DISCONNECT}. For volatile streams (telemetry, cursors) where the newest value
     * is all that matters.
     */
    DROP_OLDEST
}
