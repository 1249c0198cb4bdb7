package io.herald.transport.jakarta.internal;

import java.util.Arrays;

/**
 * Puts one session's messages back together from the parts a container hands a
 * {@link jakarta.websocket.MessageHandler.Partial}, up to a limit in UTF-8 bytes. A message that arrives in
 * one part is passed on as it is, with no copy; a longer one is copied as its parts come, and refused as
 * soon as its parts pass the limit, so a session never holds more than the limit of a message being read.
 *
 * <p>Every message of a session passes through it: a container's whole message as one last part. Partial
 * messages are for a container that would otherwise keep a buffer as large as the largest message allowed
 * for every session, for its whole life (Tomcat, see {@link HeraldEndpoint}). Not thread-safe: the container
 * hands one session's messages over one at a time.
 */
final class MessageParts {
    /** What {@link #text} and {@link #binary} answer for a message above the limit. */
    static final Object TOO_LARGE = new Object();

    private final int maxBytes;
    /** The text message being put together, or {@code null}; and its length in UTF-8 bytes. */
    private StringBuilder text;
    private long textBytes;
    /** The binary message being put together, or {@code null}; and its length. */
    private byte[] binary;
    private int binaryLength;
    /** Whether the message being read was refused: its later parts are dropped. */
    private boolean refused;

    /** @param maxBytes the largest message taken, in UTF-8 bytes */
    MessageParts(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * @param part the next part of a text message
     * @param last whether it ends the message
     * @return the whole message (a {@code String}) once {@code last}; {@code null} while more parts are to
     *     come, or after the message was refused; {@link #TOO_LARGE} at the part that takes it past the limit
     */
    Object text(String part, boolean last) {
        if (refused) {
            refused = !last;
            return null;
        }
        if (text == null && last) {
            return FrameSize.exceeds(part, maxBytes) ? refuse(true) : part;
        }
        textBytes += FrameSize.utf8Length(part, maxBytes);
        if (textBytes > maxBytes) {
            text = null;
            textBytes = 0;
            return refuse(last);
        }
        if (text == null) {
            text = new StringBuilder(part.length() * 2);
        }
        text.append(part);
        if (!last) {
            return null;
        }
        String whole = text.toString();
        text = null;
        textBytes = 0;
        return whole;
    }

    /**
     * @param part the next part of a binary message
     * @param last whether it ends the message
     * @return the whole message (a {@code byte[]}) once {@code last}; {@code null} while more parts are to
     *     come, or after the message was refused; {@link #TOO_LARGE} at the part that takes it past the limit
     */
    Object binary(byte[] part, boolean last) {
        if (refused) {
            refused = !last;
            return null;
        }
        if (binary == null && last) {
            return part.length > maxBytes ? refuse(true) : part;
        }
        if ((long) binaryLength + part.length > maxBytes) {
            binary = null;
            binaryLength = 0;
            return refuse(last);
        }
        if (binary == null) {
            binary = new byte[(int) Math.min(maxBytes, Math.max(2L * part.length, 256))];
        } else if (binaryLength + part.length > binary.length) {
            binary = Arrays.copyOf(binary, (int) Math.min(maxBytes, Math.max((long) binary.length * 2,
                    (long) binaryLength + part.length)));
        }
        System.arraycopy(part, 0, binary, binaryLength, part.length);
        binaryLength += part.length;
        if (!last) {
            return null;
        }
        byte[] whole = binary.length == binaryLength ? binary : Arrays.copyOf(binary, binaryLength);
        binary = null;
        binaryLength = 0;
        return whole;
    }

    private Object refuse(boolean last) {
        refused = !last;
        return TOO_LARGE;
    }
}
