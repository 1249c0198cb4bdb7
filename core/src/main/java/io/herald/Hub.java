package io.herald;

import io.herald.spi.ConnectionGateway;
import java.time.Duration;

/**
 * The facade of Herald: publish events, address rooms, connections and users, and let transports in.
 *
 * <p>Built with {@link #builder()}; immutable configuration, thread-safe, works alone on in-memory
 * defaults (one node, in-memory history). Every method returns without waiting for any client: events
 * are queued per connection and written by the connection's writer.
 *
 * <p>Misuse (an invalid topic or room name, a closed hub) throws {@link IllegalArgumentException} or
 * {@link IllegalStateException}; outcomes that depend on clients (a connection that is gone) are return
 * values.
 */
public interface Hub extends AutoCloseable {
    /** @return a builder with every default in place */
    static HubBuilder builder() {
        return new HubBuilder();
    }

    /**
     * Publishes an event to a topic: stored in the history log (which assigns its id), then queued to
     * every connection with a matching subscription that may receive the topic.
     *
     * @param topic a concrete topic (no wildcards)
     * @param data the payload: a Jackson {@code JsonNode}, a {@code Map}, a record, any value Jackson
     *     serializes; {@code null} becomes JSON {@code null}
     * @return the event's id
     * @throws IllegalArgumentException if the topic is invalid, or the data cannot be serialized or is larger
     *     than one event may carry ({@link HubBuilder#outboundQueue} bytes less 1,024 for the envelope)
     * @throws IllegalStateException if the hub is closed
     */
    String publish(String topic, Object data);

    /**
     * Emits an event into a room: every member receives it with {@code room} set.
     *
     * @param room the room
     * @param topic the event's topic
     * @param data the payload, as for {@link #publish}
     * @return the event's id
     */
    String emit(String room, String topic, Object data);

    /**
     * Emits into a room, leaving out one connection (typically the one whose action caused it).
     *
     * @param room the room
     * @param topic the event's topic
     * @param data the payload
     * @param exceptConnectionId the connection that does not receive it; {@code null} for none
     * @return the event's id
     */
    String emit(String room, String topic, Object data, String exceptConnectionId);

    /**
     * Sends an event to one connection, regardless of its subscriptions.
     *
     * @param connectionId the connection
     * @param topic the event's topic
     * @param data the payload
     * @return {@code false} when no such connection is open (or is still opening: nothing comes before its
     *     {@code connected} frame)
     */
    boolean sendToConnection(String connectionId, String topic, Object data);

    /**
     * Sends an event to every open connection of a user.
     *
     * @param user the user id
     * @param topic the event's topic
     * @param data the payload
     * @return how many connections it was queued to (not those still opening: nothing comes before their
     *     {@code connected} frame)
     */
    int sendToUser(String user, String topic, Object data);

    /**
     * Closes one connection.
     *
     * @param connectionId the connection
     * @param reason close code and reason; applications use 3000–4999
     * @return {@code false} when no such connection is open
     * @throws IllegalArgumentException if the code is not one a server may send ({@link CloseReason#sendable})
     */
    boolean disconnect(String connectionId, CloseReason reason);

    /**
     * Closes every connection of a user.
     *
     * @param user the user id
     * @param reason close code and reason; applications use 3000–4999
     * @return how many connections were closed
     * @throws IllegalArgumentException if the code is not one a server may send ({@link CloseReason#sendable})
     */
    int disconnectUser(String user, CloseReason reason);

    /** @return the door transport adapters use to admit and open connections */
    ConnectionGateway gateway();

    /** @return introspection: connections, subscriptions, rooms, members */
    HubAdmin admin();

    /** @return counters and gauges */
    HubMetrics metrics();

    /** @return this node's name, as sent in {@code connected} */
    String node();

    /** @return the configured heartbeat interval */
    Duration heartbeat();

    /**
     * The largest inbound message the hub accepts, as set by {@link HubBuilder#maxFrameBytes(int)}.
     * Transport adapters give their container the same limit, so that a larger frame is refused by the
     * container (WebSocket close 1009) before it is buffered whole.
     *
     * @return the limit in bytes; default 65,536
     */
    int maxFrameBytes();

    /**
     * Shuts down gracefully: refuses new connections, tells clients 1001 {@code shutdown}, lets their
     * writers flush what is queued until the drain deadline, then closes whatever is left and stops the
     * hub's threads. Before it returns it also waits, within the same deadline, for the transports to report
     * their closes ended ({@link io.herald.spi.Transport#reportsClose}), so the server can be stopped right
     * after it without cutting the close frames. Idempotent: a later call, on another thread, waits until
     * the first one is done, for at most its own {@code drain} (a listener that the shutdown itself calls
     * returns at once). Blocks the caller until done; an interrupt ends the wait with the thread's interrupt
     * flag set.
     *
     * @param drain how long queued frames may take to flush, and the closes to end
     */
    void close(Duration drain);

    /** Closes with the builder's drain deadline. */
    @Override
    void close();
}
