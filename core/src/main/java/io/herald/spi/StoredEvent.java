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
 */
public record StoredEvent(String id, String topic, byte[] data, long timestamp, String room, String from) {
    /** Checks the mandatory parts. */
    public StoredEvent {
        if (id == null || topic == null || data == null) {
            throw new IllegalArgumentException("id, topic and data are required");
        }
    }

    /** @return whether it was published to a topic (and so may be replayed to topic subscribers) */
    public boolean isTopicEvent() {
        return room == null;
    }
}
