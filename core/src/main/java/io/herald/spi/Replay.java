package io.herald.spi;

import java.util.List;

/**
 * The answer of {@link HistoryLog#readAfter}.
 *
 * @param recovered {@code true} when every retained event after the given id is included, i.e. the
 *     client missed nothing; {@code false} when the id is older than the retention window, from another
 *     epoch, unknown, or more events matched than the limit allowed
 * @param events matching events after the id, oldest first
 */
public record Replay(boolean recovered, List<StoredEvent> events) {
    /** Copies the list. */
    public Replay {
        events = List.copyOf(events);
    }
}
