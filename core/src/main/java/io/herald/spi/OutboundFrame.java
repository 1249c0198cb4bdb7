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
    private volatile byte[] webSocketFrame;

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

    /**
     * The message as one unmasked WebSocket text frame (RFC 6455): its header, then {@link #bytes()}. Made
     * once per frame, on first use, and shared by every recipient, for transports that write frames to the
     * socket themselves; two threads asking at once may both make it, and get equal arrays. Once made it
     * lives as long as the frame: one more copy of the message per frame, however many recipients share it.
     *
     * @return the frame's bytes; shared, never to be modified
     * @throws IllegalStateException for {@link #PING}, which carries no message
     */
    public byte[] webSocketFrame() {
        byte[] f = webSocketFrame;
        if (f == null) {
            if (kind != Kind.MESSAGE) {
                throw new IllegalStateException("a keep-alive has no text frame");
            }
            int len = bytes.length;
            int header = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
            f = new byte[header + len];
            f[0] = (byte) 0x81;
            if (len < 126) {
                f[1] = (byte) len;
            } else if (len <= 0xFFFF) {
                f[1] = 126;
                f[2] = (byte) (len >>> 8);
                f[3] = (byte) len;
            } else {
                f[1] = 127;
                for (int i = 0; i < 8; i++) {
                    f[2 + i] = (byte) ((long) len >>> (56 - 8 * i));
                }
            }
            System.arraycopy(bytes, 0, f, header, len);
            webSocketFrame = f;
        }
        return f;
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
