package io.herald.internal;

/**
 * One pattern held by one connection, as stored in the {@link PatternIndex}. Identity matters: the index
 * holds the object, and the connection holds the same object in its table.
 */
final class Subscription {
    final Connection connection;
    final String pattern;
    final boolean wildcard;
    final Filter filter;

    Subscription(Connection connection, String pattern, Filter filter) {
        this.connection = connection;
        this.pattern = pattern;
        this.wildcard = Topics.hasWildcard(pattern);
        this.filter = filter;
    }

    @Override
    public String toString() {
        return connection.id() + ":" + pattern + (filter == null ? "" : " " + filter);
    }
}
