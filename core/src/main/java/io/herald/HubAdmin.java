package io.herald;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Introspection of a hub, from {@link Hub#admin()}. Answers are snapshots; thread-safe. */
public interface HubAdmin {
    /** @return every open connection on this node */
    List<ConnectionInfo> connections();

    /**
     * @param connectionId a connection id
     * @return that connection, if open
     */
    Optional<ConnectionInfo> connection(String connectionId);

    /**
     * @param user a user id
     * @return that user's connections on this node
     */
    List<ConnectionInfo> connectionsOf(String user);

    /** @return the names of rooms with at least one member */
    Set<String> rooms();

    /**
     * @param room a room name
     * @return its members, in join order; empty when the room has none
     */
    List<Member> members(String room);

    /** @return how many connections are open */
    int connectionCount();
}
