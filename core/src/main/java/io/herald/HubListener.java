package io.herald;

/**
 * Lifecycle callbacks. Every method has a no-op default, so new callbacks never break an implementation.
 *
 * <p>Called synchronously on the thread where the change happened (a container thread, a publisher, the
 * heartbeat thread); implementations return quickly and never block. An exception thrown here is logged
 * and otherwise ignored.
 */
public interface HubListener {
    /**
     * A connection opened and received its {@code connected} frame.
     *
     * @param connection the connection
     */
    default void onConnected(ConnectionInfo connection) {
    }

    /**
     * A connection closed, for whatever reason.
     *
     * @param connection the connection as it was last
     * @param reason why
     */
    default void onDisconnected(ConnectionInfo connection, CloseReason reason) {
    }

    /**
     * A connection joined a room.
     *
     * @param room the room
     * @param member the new member
     */
    default void onJoin(String room, Member member) {
    }

    /**
     * A connection left a room (by request or by disconnecting).
     *
     * @param room the room
     * @param member the former member
     */
    default void onLeave(String room, Member member) {
    }

    /**
     * Something failed that is not the client's fault: a route handler threw, the authorizer threw while an
     * event was delivered (that connection was skipped), a transport failed.
     *
     * @param connectionId the connection concerned, or {@code null}
     * @param error the failure
     */
    default void onError(String connectionId, Throwable error) {
    }
}
