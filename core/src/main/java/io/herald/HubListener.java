package io.herald;

/**
 * Lifecycle callbacks. Every method has a no-op default, so new callbacks never break an implementation.
 *
 * <p>The calls about one connection come one at a time, in the order of the changes they report:
 * {@code onConnected} first, then its {@code onJoin} and {@code onLeave} calls, then {@code onDisconnected}
 * last, even when the connection closes while another thread opens it or joins a room for it. A call
 * runs on the thread where its change happened (a container thread, a publisher, the heartbeat thread),
 * or, when a call about the same connection is running at that moment, on that call's thread right after
 * it. So a listener may close or change its own connection: the calls this causes come after it returns.
 * Calls about different connections may run at the same time. Implementations return quickly and never
 * block. An exception thrown here is logged and otherwise ignored.
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
