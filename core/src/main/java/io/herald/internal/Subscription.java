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
