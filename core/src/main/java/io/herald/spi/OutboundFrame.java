package io.herald.spi;

import java.nio.charset.StandardCharsets;

/**
 * One already-encoded message, shared unchanged by every connection it is delivered to.
 *
 * <p>Immutable and thread-safe. The bytes are UTF-8; {@link #text()} decodes them at most once per
 * frame (not per recipient) for transports whose API takes a {@code String}, such as Jakarta WebSocket
 * text frames. Transports must not modify {@link #bytes()}.
 */
public final class OutboundFrame {
    /** The kind of frame: a message, or a keep-alive the transport expresses in its own way. */
    public enum Kind {
        /** A protocol message: send {@link #bytes()} or {@link #text()}. */
        MESSAGE,
        /** A keep-alive: a WebSocket ping frame, or an SSE comment line. Carries no payload. */
        PING
    }

    /** The keep-alive frame. Its payload is empty. */
    public static final OutboundFrame PING = new OutboundFrame(Kind.PING, new byte[0], false);

    private final Kind kind;
    private final byte[] bytes;
    private final boolean droppable;
    private volatile String text;

    private OutboundFrame(Kind kind, byte[] bytes, boolean droppable) {
        this.kind = kind;
        this.bytes = bytes;
        this.droppable = droppable;
    }

    /**
     * Wraps encoded bytes as a message frame. The array is taken over, not copied: the caller must not
     * change it afterwards.
     *
     * @param utf8 the encoded message, UTF-8
     * @param droppable whether a full outbound queue may drop this frame under the drop-oldest policy
     *     (volatile events); answers, errors and control frames are never droppable
     * @return the frame
     */
    public static OutboundFrame message(byte[] utf8, boolean droppable) {
        if (utf8 == null) {
            throw new IllegalArgumentException("utf8 must not be null");
        }
        return new OutboundFrame(Kind.MESSAGE, utf8, droppable);
    }

    /** @return whether this is a message or a keep-alive */
    public Kind kind() {
        return kind;
    }

    /** @return the encoded bytes; shared, never to be modified */
    public byte[] bytes() {
        return bytes;
    }

    /** @return the size in bytes, counted against a connection's outbound byte limit */
    public int length() {
        return bytes.length;
    }

    /** @return whether the drop-oldest policy may discard this frame */
    public boolean droppable() {
        return droppable;
    }

    /** @return the message as a string, decoded once and cached */
    public String text() {
        String t = text;
        if (t == null) {
            t = new String(bytes, StandardCharsets.UTF_8);
            text = t;
        }
        return t;
    }

    @Override
    public String toString() {
        return kind == Kind.PING ? "PING" : text();
    }
}
