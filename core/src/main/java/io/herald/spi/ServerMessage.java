package io.herald.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.Member;
import java.util.List;

/**
 * A message the server sends, before encoding. A {@link Codec} turns each into bytes; the hub encodes
 * an event once and shares the bytes between all recipients.
 */
public sealed interface ServerMessage {
    /**
     * Always the first frame of a connection.
     *
     * @param connectionId the id the hub assigned
     * @param protocol the protocol name ({@code herald.v1})
     * @param heartbeatMs the heartbeat interval, milliseconds
     * @param node the node's name
     * @param user the authenticated user, or {@code null}
     * @param controlToken the SSE control token, or {@code null} on WebSocket
     * @param recovered for an SSE stream resumed with {@code Last-Event-ID}: whether the gap was covered;
     *     {@code null} otherwise
     */
    record Connected(String connectionId, String protocol, long heartbeatMs, String node, String user,
            String controlToken, Boolean recovered) implements ServerMessage {
    }

    /**
     * A delivered event. {@code event.room()} is set when delivered through a room.
     *
     * @param event the stored event
     */
    record Event(StoredEvent event) implements ServerMessage {
    }

    /**
     * A member joined or left a room; sent to the other members.
     *
     * @param room the room
     * @param action {@code join} or {@code leave}
     * @param member who
     */
    record Presence(String room, String action, Member member) implements ServerMessage {
    }

    /**
     * An error answer, or the error that ends an SSE stream the server closes.
     *
     * @param ref the request's ref, or {@code null}
     * @param code the error code
     * @param message what was wrong; {@code null} or blank is sent as the code's name
     * @param retryAfterMs for {@link ErrorCode#RATE_LIMITED}, and for an {@link ErrorCode#INTERNAL} refusal of
     *     an HTTP control request during a shutdown: milliseconds to wait; 0 otherwise
     * @param closing the close this error announces, on a stream whose transport has no close codes (SSE): its
     *     reason word and code are encoded as the fields {@code reason} and {@code closeCode}; {@code null} for
     *     an answer to a request
     * @param room the room an SSE stream's URL asked to join, when this error refuses that join (such a join
     *     has no {@code ref} to answer with); {@code null} otherwise
     */
    record Error(String ref, ErrorCode code, String message, long retryAfterMs, CloseReason closing, String room)
            implements ServerMessage {
        /** Every error says something: a missing or blank message is sent as the code's name. */
        public Error {
            if (message == null || message.isBlank()) {
                message = code != null ? code.name() : "error";
            }
        }

        /**
         * An error answer to a request, announcing no close.
         *
         * @param ref the request's ref, or {@code null}
         * @param code the error code
         * @param message what was wrong
         * @param retryAfterMs milliseconds to wait, see the record's components; 0 for none
         */
        public Error(String ref, ErrorCode code, String message, long retryAfterMs) {
            this(ref, code, message, retryAfterMs, null, null);
        }

        /**
         * An error that announces a close.
         *
         * @param closing the close, see the record's components
         */
        public Error(String ref, ErrorCode code, String message, long retryAfterMs, CloseReason closing) {
            this(ref, code, message, retryAfterMs, closing, null);
        }

        /** @return this error, naming the room whose join it refuses */
        public Error aboutRoom(String room) {
            return new Error(ref, code, message, retryAfterMs, closing, room);
        }
    }

    /**
     * @param ref correlation
     * @param topics the patterns now subscribed
     * @param recovered whether a resume covered the gap; {@code null} when no {@code since} was given
     */
    record Subscribed(String ref, List<String> topics, Boolean recovered) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param topics the patterns removed
     */
    record Unsubscribed(String ref, List<String> topics) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param room the room joined
     * @param members every member, the joiner included
     */
    record Joined(String ref, String room, List<Member> members) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param room the room left
     */
    record Left(String ref, String room) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param id the published event's id
     */
    record Published(String ref, String id) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param data the route handler's return value as JSON ({@code null} JSON when it returned nothing)
     */
    record Reply(String ref, JsonNode data) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param ts server time, epoch milliseconds
     */
    record Pong(String ref, long ts) implements ServerMessage {
    }

    /**
     * @param ref correlation
     * @param user the user now authenticated
     */
    record Authenticated(String ref, String user) implements ServerMessage {
    }
}
