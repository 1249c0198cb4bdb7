package io.herald;

import java.util.Set;

/**
 * A snapshot of one connection, for introspection and listeners.
 *
 * @param connectionId the id
 * @param user the user id, or {@code null} when anonymous
 * @param remoteAddress the client's address
 * @param transport {@code websocket} or {@code sse} (or a test transport's framing name)
 * @param subscriptions the patterns subscribed
 * @param rooms the rooms joined
 * @param connectedAt epoch milliseconds
 * @param queuedFrames frames waiting in the outbound queue
 * @param queuedBytes bytes waiting in the outbound queue
 */
public record ConnectionInfo(String connectionId, String user, String remoteAddress, String transport,
        Set<String> subscriptions, Set<String> rooms, long connectedAt, int queuedFrames, long queuedBytes) {
    /** Copies the sets. */
    public ConnectionInfo {
        subscriptions = Set.copyOf(subscriptions);
        rooms = Set.copyOf(rooms);
    }
}
