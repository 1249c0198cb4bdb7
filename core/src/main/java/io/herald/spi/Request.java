package io.herald.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A decoded client request. A {@link Codec} produces these from the wire; the hub executes them.
 * Every request may carry a {@code ref} (the client's correlation string; {@code null} when absent).
 */
public sealed interface Request {
    /** @return the client's correlation string, or {@code null} */
    String ref();

    /** @return the request's wire type, for logs and errors */
    String type();

    /**
     * Authenticates after connect.
     *
     * @param ref correlation
     * @param token the credentials
     */
    record Auth(String ref, String token) implements Request {
        @Override
        public String type() {
            return "auth";
        }
    }

    /**
     * Subscribes to patterns.
     *
     * @param ref correlation
     * @param topics one or more patterns, not yet validated
     * @param filter the filter object, or {@code null}
     * @param since resume after this event id, or {@code null}
     */
    record Subscribe(String ref, List<String> topics, JsonNode filter, String since) implements Request {
        /** Copies the list. */
        public Subscribe {
            topics = List.copyOf(topics);
        }

        @Override
        public String type() {
            return "subscribe";
        }
    }

    /**
     * Removes subscriptions.
     *
     * @param ref correlation
     * @param topics patterns exactly as subscribed
     */
    record Unsubscribe(String ref, List<String> topics) implements Request {
        /** Copies the list. */
        public Unsubscribe {
            topics = List.copyOf(topics);
        }

        @Override
        public String type() {
            return "unsubscribe";
        }
    }

    /**
     * Joins a room.
     *
     * @param ref correlation
     * @param room the room name
     * @param meta member information shown to others, or {@code null}
     */
    record Join(String ref, String room, JsonNode meta) implements Request {
        @Override
        public String type() {
            return "join";
        }
    }

    /**
     * Leaves a room.
     *
     * @param ref correlation
     * @param room the room name
     */
    record Leave(String ref, String room) implements Request {
        @Override
        public String type() {
            return "leave";
        }
    }

    /**
     * Publishes to a topic, or into a room when {@code room} is set.
     *
     * @param ref correlation
     * @param topic the topic
     * @param room the room, or {@code null}
     * @param data the payload (any JSON value, {@code null} JSON allowed)
     * @param echo for room messages: whether the sender receives its own message
     */
    record Publish(String ref, String topic, String room, JsonNode data, boolean echo) implements Request {
        @Override
        public String type() {
            return "publish";
        }
    }

    /**
     * Calls an application route.
     *
     * @param ref correlation
     * @param route the route name
     * @param data the argument
     */
    record Send(String ref, String route, JsonNode data) implements Request {
        @Override
        public String type() {
            return "send";
        }
    }

    /**
     * Asks for a {@code pong}; counts as activity.
     *
     * @param ref correlation
     */
    record Ping(String ref) implements Request {
        @Override
        public String type() {
            return "ping";
        }
    }
}
