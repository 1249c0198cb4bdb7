package io.herald.spi;

import java.util.function.Predicate;

/**
 * The ordered log every published event passes through: it assigns ids and keeps recent events for
 * resume. The in-memory ring is the default; a shared log (the planned Redis bridge) would serve many nodes.
 *
 * <p>Thread-safe. {@link #append} is called by the hub under its publish sequencing lock, so it must be
 * fast and must not block on I/O; {@link #readAfter} is called on the thread handling a subscribe request.
 */
public interface HistoryLog extends AutoCloseable {
    /**
     * Stores an event and assigns its id. Ids are strictly increasing in append order.
     *
     * @param topic the topic
     * @param data the payload as an encoded JSON value; the array is kept, not copied
     * @param timestamp epoch milliseconds
     * @param room the room for a room emit, else {@code null}
     * @param from the publishing connection, else {@code null}
     * @param to the addressee of a direct send (connection id, or {@code user:} and the user id), else
     *     {@code null}
     * @return the stored event with its id
     */
    StoredEvent append(String topic, byte[] data, long timestamp, String room, String from, String to);

    /**
     * Stores an event that is not addressed to one connection or user; see
     * {@link #append(String, byte[], long, String, String, String)}.
     *
     * @param topic the topic
     * @param data the payload as an encoded JSON value
     * @param timestamp epoch milliseconds
     * @param room the room for a room emit, else {@code null}
     * @param from the publishing connection, else {@code null}
     * @return the stored event with its id
     */
    default StoredEvent append(String topic, byte[] data, long timestamp, String room, String from) {
        return append(topic, data, timestamp, room, from, null);
    }

    /**
     * Reads the retained events after {@code id} that the matcher accepts, oldest first.
     *
     * @param id an id this log (or an earlier epoch of it) handed out
     * @param matcher which events to include
     * @param limit the most events to return; when more match, the newest {@code limit} are returned
     *     and the replay is not {@code recovered}
     * @return the events and whether they cover the gap completely. Only topic events are replayed (the hub's
     *     matcher refuses events with a room or an addressee), so a log may call a gap complete when only
     *     such events of it are gone
     */
    Replay readAfter(String id, Predicate<StoredEvent> matcher, int limit);

    /**
     * Orders two ids of this log.
     *
     * @param a an id
     * @param b another id
     * @return negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}
     * @throws IllegalArgumentException if either is not an id of the current epoch
     */
    int compare(String a, String b);

    /** @return an identifier of this log's lifetime; a reset starts a new epoch and old ids are not recovered */
    String epoch();

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
