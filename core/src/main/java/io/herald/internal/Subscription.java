package io.herald.internal;

import io.herald.spi.Framing;

/**
 * One pattern held by one connection, as stored in the {@link PatternIndex}. Identity matters: the index
 * holds the object, and the connection holds the same object in its table.
 */
final class Subscription {
    final Connection connection;
    /** The connection's delivery state, held here so matching reaches it without touching the connection. */
    final Outbound outbound;
    final Framing framing;
    final String pattern;
    final boolean wildcard;
    final Filter filter;
    /**
     * A log position after which this connection has been given every event this subscription selects (its
     * pattern, filter and the authorizer's {@code mayReceive}): live, held at a resume's seam, or replayed.
     * {@code null} means from this hub's first append on (the subscription is older than every event the
     * hub appended). Set when the subscription enters the index, under the publish lock, and moved earlier
     * to its {@code since} by a recovered resume; a later resume does not replay, as missed, an event
     * this subscription already delivered (see {@link ReplaySelection}). Assumes every event in the log
     * after this position was appended through this hub's publish lock, which holds for the in-memory log.
     */
    volatile String coveredAfter;

    Subscription(Connection connection, String pattern, Filter filter) {
        this.connection = connection;
        this.outbound = connection.outbound;
        this.framing = connection.framing();
        this.pattern = pattern;
        this.wildcard = Topics.hasWildcard(pattern);
        this.filter = filter;
    }

    @Override
    public String toString() {
        return connection.id() + ":" + pattern + (filter == null ? "" : " " + filter);
    }
}
