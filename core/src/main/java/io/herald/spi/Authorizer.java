package io.herald.spi;

import io.herald.Principal;

/**
 * Decides what a principal may do. Every method has a default, so an application overrides only what
 * it restricts. The defaults let clients subscribe to and receive every topic, join rooms and publish
 * into rooms they joined, but not publish to topics (server code publishes); {@link #OPEN} allows all.
 *
 * <p>Methods are called on the thread handling the request or, for {@link #mayReceive}, on the
 * publishing thread; they must be fast and must not block. The hub caches {@code mayReceive} answers
 * per connection and topic, so an answer must not change during a connection's life.
 */
public interface Authorizer {
    /** The default policy described above. */
    Authorizer DEFAULT = new Authorizer() { };

    /** Everything is allowed, including publishing to any topic from a client. */
    Authorizer OPEN = new Authorizer() {
        @Override
        public boolean mayPublish(Principal principal, String topic) {
            return true;
        }
    };

    /**
     * @param principal the subscriber
     * @param pattern the requested pattern (validated), possibly with wildcards
     * @return whether the subscription may be created; a denial answers {@code FORBIDDEN}
     */
    default boolean maySubscribe(Principal principal, String pattern) {
        return true;
    }

    /**
     * Checked for every topic actually delivered through a subscription, so that a wildcard
     * subscription never delivers a topic the principal may not see. It is asked while the event is being
     * queued, under the hub's publish lock, so it must answer quickly and must not block. If it throws,
     * every other recipient still gets the event, the failure goes to {@link io.herald.HubListener#onError}
     * with the connection's id, and that connection, which would otherwise have a gap it cannot see, takes
     * no later frame and is closed with 1011 {@code internal} once what was queued before is written: its
     * client resumes from its last event id, and the answer is asked again then (it is not cached).
     *
     * @param principal the subscriber
     * @param topic a concrete topic
     * @return whether events of this topic may be delivered to the principal
     */
    default boolean mayReceive(Principal principal, String topic) {
        return true;
    }

    /**
     * @param principal the publishing client
     * @param topic the topic
     * @return whether a client may publish to this topic
     */
    default boolean mayPublish(Principal principal, String topic) {
        return false;
    }

    /**
     * @param principal the client
     * @param room the room name
     * @return whether the client may join the room
     */
    default boolean mayJoin(Principal principal, String room) {
        return true;
    }

    /**
     * Only asked for members of the room: a non-member never publishes into a room.
     *
     * @param principal the member
     * @param room the room
     * @param topic the event's topic
     * @return whether the member may publish into the room
     */
    default boolean mayPublishToRoom(Principal principal, String room, String topic) {
        return true;
    }
}
