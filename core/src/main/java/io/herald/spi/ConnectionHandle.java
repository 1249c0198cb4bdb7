package io.herald.spi;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What the hub gives back to a transport for one open connection: the way in for inbound traffic and
 * for the transport's own lifecycle events. Thread-safe; every method returns quickly and never throws
 * for bad client input (bad input gets an {@code error} frame).
 */
public interface ConnectionHandle {
    /** @return the connection id the hub assigned (also sent to the client in {@code connected}) */
    String connectionId();

    /**
     * Handles one inbound text message (one WebSocket text frame). Called on a container thread,
     * one message at a time per connection.
     *
     * @param message the message as received
     */
    void onText(String message);

    /**
     * Handles one inbound text message given as the bytes received, so that the codec can parse them without
     * building a {@code String} first; otherwise as {@link #onText(String)}. The default checks and decodes
     * them and calls {@link #onText(String)}.
     *
     * @param utf8 the message's payload; not modified, and not kept after the call returns
     * @return {@code false} when the bytes are not well-formed UTF-8: nothing was handled, and a WebSocket
     *     transport closes the connection with 1007 as RFC 6455 requires
     */
    default boolean onText(byte[] utf8) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            return false;
        }
        onText(text);
        return true;
    }

    /**
     * Handles one inbound binary message. Herald's protocol is text; the codec decides whether binary
     * messages are accepted (the default JSON codec answers {@code BAD_REQUEST} unless they are valid
     * UTF-8 JSON).
     *
     * @param message the raw bytes
     */
    void onBinary(byte[] message);

    /**
     * Says that the transport has already read more of this connection's input than the message it hands
     * over next (a client that sends requests without waiting for answers): the hub may then keep the answers
     * back so that one write carries them all. The transport calls {@link #flushWrites()} once it has handed
     * over the last message it read. A transport that cannot tell never calls either; nor does it need to
     * be exact: the hub also writes what it kept after at most five milliseconds, or once 64 frames wait.
     */
    default void holdWrites() {
    }

    /** Ends {@link #holdWrites()}: what the hub kept back is written now. */
    default void flushWrites() {
    }

    /** Records activity that carries no message, such as a WebSocket pong. */
    void onActivity();

    /**
     * The transport has closed (client went away, network error, container shutdown). Idempotent;
     * releases every resource of the connection.
     *
     * @param code the close code seen or chosen by the transport
     * @param reason the close reason, possibly empty
     */
    void onClosed(int code, String reason);
}
