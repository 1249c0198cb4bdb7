package io.herald.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

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
     * @param data the payload: one JSON value ({@code null} JSON allowed) as compact UTF-8, with no whitespace
     *     outside strings. It goes into every frame as it is (an SSE event carries it on one {@code data:}
     *     line) and is parsed again only if a filter reads it. The hub keeps the array: it must not be modified
     * @param echo for room messages: whether the sender receives its own message
     */
    record Publish(String ref, String topic, String room, byte[] data, boolean echo) implements Request {
        @Override
        public String type() {
            return "publish";
        }

        /** Equal when every component is, the data compared by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Publish p && echo == p.echo && Objects.equals(ref, p.ref)
                    && Objects.equals(topic, p.topic) && Objects.equals(room, p.room) && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ref, topic, room, echo) * 31 + Arrays.hashCode(data);
        }

        /** Shows the data as its JSON text. */
        @Override
        public String toString() {
            return "Publish[ref=" + ref + ", topic=" + topic + ", room=" + room + ", data="
                    + (data == null ? null : new String(data, StandardCharsets.UTF_8)) + ", echo=" + echo + "]";
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
