package io.herald.spi;

/**
 * An event as the {@link HistoryLog} keeps it. Immutable; {@link #data()} is shared and must not be
 * modified.
 *
 * @param id the id the log assigned: opaque, totally ordered within the log
 * @param topic the topic
 * @param data the payload, already encoded as a JSON value (UTF-8)
 * @param timestamp publication time, epoch milliseconds
 * @param room the room it was emitted into, or {@code null} for a topic publication
 * @param from the publishing connection's id, or {@code null} when server code published it
 * @param to for an event sent to one connection or user: that addressee (a connection id, or
 *     {@code user:} and the user id); {@code null} otherwise
 */
public record StoredEvent(String id, String topic, byte[] data, long timestamp, String room, String from, String to) {
    /** Checks the mandatory parts. */
    public StoredEvent {
        if (id == null || topic == null || data == null) {
            throw new IllegalArgumentException("id, topic and data are required");
        }
    }

    /**
     * An event that is not addressed to one connection or user.
     *
     * @param id the id
     * @param topic the topic
     * @param data the payload
     * @param timestamp epoch milliseconds
     * @param room the room, or {@code null}
     * @param from the publisher, or {@code null}
     */
    public StoredEvent(String id, String topic, byte[] data, long timestamp, String room, String from) {
        this(id, topic, data, timestamp, room, from, null);
    }

    /**
     * @return whether it was published to a topic, so that it may be replayed to topic subscribers (room
     *     events and direct sends are never replayed)
     */
    public boolean isTopicEvent() {
        return room == null && to == null;
    }
}
