package io.herald.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Subscriptions and rooms a connection starts with, given when it opens: an SSE stream's query
 * ({@code topics}, {@code filter}, {@code rooms}) and its {@code Last-Event-ID}.
 *
 * @param topics patterns to subscribe; may be empty
 * @param filter a filter object for those patterns, or {@code null}
 * @param since resume after this event id, or {@code null}; the {@code connected} frame then says whether
 *     the gap was {@code recovered}
 * @param rooms rooms to join; may be empty
 */
public record InitialSubscription(List<String> topics, JsonNode filter, String since, List<String> rooms) {
    /** Nothing to start with. */
    public static final InitialSubscription NONE = new InitialSubscription(List.of(), null, null, List.of());

    /** Copies the lists; {@code null} lists mean empty. */
    public InitialSubscription {
        topics = topics == null ? List.of() : List.copyOf(topics);
        rooms = rooms == null ? List.of() : List.copyOf(rooms);
    }
}
