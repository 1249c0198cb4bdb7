package io.herald.transport.jakarta.internal;

import io.herald.CloseReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the frames a client sends (RFC 6455, section 5) from its bytes as they arrive, split anywhere, and
 * hands over whole messages, pings, pongs and the close frame. Used where Herald speaks WebSocket itself,
 * on a servlet container's upgraded connection ({@link UpgradeConnection}).
 *
 * <p>Everything RFC 6455 requires a server to refuse is refused, with the close code it names: an unmasked
 * frame, a reserved bit (no extension is ever negotiated), a reserved opcode, a fragmented control frame or
 * one over 125 bytes, a continuation with no message begun or a new message inside a fragmented one, a
 * 64-bit length with its top bit set, a close frame of one byte or with a code no endpoint may send (1002);
 * a close reason that is not UTF-8 (1007); and a message whose fragments together exceed the limit (1009),
 * found from the frame headers before any of its payload is kept. Whether a text message is UTF-8 is for
 * the hub to say ({@code ConnectionHandle#onText(byte[])}).
 *
 * <p>Memory: a message is kept until its last fragment, in an array that grows with what arrives (never past
 * the limit); a control frame's payload in an array of its size, made when one arrives. Not thread-safe: one
 * reader per connection, fed by one thread at a time.
 */
final class FrameReader {
    /** What a reader finds. Called on the thread that feeds the reader. */
    interface Sink {
        /**
         * @param text whether it is a text message (else binary)
         * @param payload the whole message, unmasked; the sink may keep it
         * @param more whether the bytes being read hold more after this message
         */
        void onMessage(boolean text, byte[] payload, boolean more);

        /** @param payload the ping's payload, at most 125 bytes; the sink may keep it */
        void onPing(byte[] payload);

        void onPong();

        /**
         * The client's close frame. Nothing after it is read.
         *
         * @param code its code, or 1005 when it carried none
         * @param reason its reason, possibly empty
         */
        void onClose(int code, String reason);

        /**
         * The client broke the protocol; nothing more is read.
         *
         * @param code the close code to answer with: 1002, 1007 or 1009
         * @param reason a short word for the close frame
         */
        void onError(int code, String reason);
    }

    static final int NO_STATUS = 1005;
    static final int PROTOCOL_ERROR = 1002;
    static final int BAD_PAYLOAD = 1007;
    private static final int MAX_CONTROL = 125;
    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;
    private static final byte[] EMPTY = new byte[0];
    /** The most a message's array holds before its bytes arrive. */
    private static final int INITIAL_CAPACITY = 4096;

    private final int maxMessage;

    /** The header being read: up to 2 + 8 length + 4 mask bytes. */
    private final byte[] header = new byte[14];
    private int headerLength;
    /** Whether a header is complete and its payload is being read. */
    private boolean inPayload;
    private boolean fin;
    private int opcode;
    private long payloadLength;
    private long payloadRead;
    private final byte[] mask = new byte[4];

    /** The message being put together; {@code null} between messages. */
    private byte[] message;
    private int messageLength;
    private boolean messageText;
    /** The control frame being read. */
    private byte[] control;
    /** Once a close frame or an error is found. */
    private boolean done;

    /** @param maxMessage the most bytes a message (all its fragments) may carry */
    FrameReader(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    /**
     * Reads bytes that arrived.
     *
     * @return {@code false} once a close frame or an error has been found: nothing more is read
     */
    boolean read(byte[] buf, int off, int len, Sink sink) {
        int end = off + len;
        int pos = off;
        while (!done && pos < end) {
            if (!inPayload) {
                pos = readHeader(buf, pos, end, sink);
                if (done || !inPayload) {
                    continue;
                }
                if (payloadLength == 0) {
                    frameEnd(pos < end, sink);
                }
                continue;
            }
            int n = (int) Math.min(end - pos, payloadLength - payloadRead);
            if (opcode >= OP_CLOSE) {
                unmask(buf, pos, control, (int) payloadRead, n);
            } else {
                if (messageLength + n > message.length) {
                    grow(messageLength + n);
                }
                unmask(buf, pos, message, messageLength, n);
                messageLength += n;
            }
            payloadRead += n;
            pos += n;
            if (payloadRead == payloadLength) {
                frameEnd(pos < end, sink);
            }
        }
        return !done;
    }

    private int readHeader(byte[] buf, int pos, int end, Sink sink) {
        while (pos < end) {
            header[headerLength++] = buf[pos++];
            int needed = headerNeeded();
            if (headerLength == needed) {
                startFrame(sink);
                return pos;
            }
        }
        return pos;
    }

    /** The header's full length, as far as its bytes read so far tell. */
    private int headerNeeded() {
        if (headerLength < 2) {
            return 2;
        }
        int len7 = header[1] & 0x7F;
        int lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        // a frame with the mask bit unset is refused once its first two bytes are read
        return (header[1] & 0x80) == 0 ? 2 : 2 + lengthBytes + 4;
    }

    private void startFrame(Sink sink) {
        headerLength = 0;
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            fail(sink, PROTOCOL_ERROR, "reserved-bits");
            return;
        }
        if ((b1 & 0x80) == 0) {
            fail(sink, PROTOCOL_ERROR, "unmasked-frame");
            return;
        }
        int len7 = b1 & 0x7F;
        int at = 2;
        long length;
        if (len7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            at = 4;
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFF);
            }
            if (length < 0) {
                fail(sink, PROTOCOL_ERROR, "bad-length");
                return;
            }
            at = 10;
        } else {
            length = len7;
        }
        System.arraycopy(header, at, mask, 0, 4);
        payloadLength = length;
        payloadRead = 0;
        switch (opcode) {
            case OP_CLOSE, OP_PING, OP_PONG -> {
                if (!fin || length > MAX_CONTROL) {
                    fail(sink, PROTOCOL_ERROR, "bad-control-frame");
                    return;
                }
                control = length == 0 ? EMPTY : new byte[(int) length];
            }
            case OP_TEXT, OP_BINARY -> {
                if (message != null) {
                    fail(sink, PROTOCOL_ERROR, "expected-continuation");
                    return;
                }
                if (length > maxMessage) {
                    fail(sink, CloseReason.TOO_LARGE.code(), CloseReason.TOO_LARGE.reason());
                    return;
                }
                messageText = opcode == OP_TEXT;
                messageLength = 0;
                // what a header claims is not allocated before it arrives
                message = new byte[(int) Math.min(length, INITIAL_CAPACITY)];
            }
            case OP_CONTINUATION -> {
                if (message == null) {
                    fail(sink, PROTOCOL_ERROR, "unexpected-continuation");
                    return;
                }
                if (messageLength + length > maxMessage) {
                    fail(sink, CloseReason.TOO_LARGE.code(), CloseReason.TOO_LARGE.reason());
                    return;
                }
            }
            default -> {
                fail(sink, PROTOCOL_ERROR, "reserved-opcode");
                return;
            }
        }
        inPayload = true;
    }

    /**
     * Makes room for the message's bytes as they arrive: at least doubling, but never past what the last
     * fragment's header announced (so a message in one frame ends in an array of its exact size) or the limit.
     */
    private void grow(int needed) {
        long bound = fin ? messageLength + (payloadLength - payloadRead) : maxMessage;
        message = Arrays.copyOf(message, (int) Math.min(bound, Math.max(needed, 2L * message.length)));
    }

    private void frameEnd(boolean more, Sink sink) {
        inPayload = false;
        switch (opcode) {
            case OP_PING -> sink.onPing(control);
            case OP_PONG -> sink.onPong();
            case OP_CLOSE -> close(sink);
            default -> {
                if (!fin) {
                    return;
                }
                byte[] whole = messageLength == message.length ? message : Arrays.copyOf(message, messageLength);
                boolean text = messageText;
                message = null;
                sink.onMessage(text, whole, more);
            }
        }
        control = null;
    }

    private void close(Sink sink) {
        byte[] payload = control;
        done = true;
        message = null;
        if (payload.length == 0) {
            sink.onClose(NO_STATUS, "");
            return;
        }
        if (payload.length == 1) {
            sink.onError(PROTOCOL_ERROR, "bad-close-frame");
            return;
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (!mayBeSent(code)) {
            sink.onError(PROTOCOL_ERROR, "bad-close-code");
            return;
        }
        String reason;
        try {
            reason = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload, 2, payload.length - 2)).toString();
        } catch (CharacterCodingException e) {
            sink.onError(BAD_PAYLOAD, "bad-close-reason");
            return;
        }
        sink.onClose(code, reason);
    }

    /** @return how many bytes the reader holds room for in the message being put together (0 between messages) */
    int capacity() {
        return message == null ? 0 : message.length;
    }

    /** The codes an endpoint may put in a close frame: 1000–1003, 1007–1014 and 3000–4999. */
    static boolean mayBeSent(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    private void fail(Sink sink, int code, String reason) {
        done = true;
        inPayload = false;
        message = null;
        control = null;
        sink.onError(code, reason);
    }

    private void unmask(byte[] src, int srcPos, byte[] dst, int dstPos, int n) {
        int m = (int) (payloadRead & 3);
        for (int i = 0; i < n; i++) {
            dst[dstPos + i] = (byte) (src[srcPos + i] ^ mask[(m + i) & 3]);
        }
    }
}
