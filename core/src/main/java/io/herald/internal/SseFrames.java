package io.herald.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Builds {@code text/event-stream} blocks (UTF-8) around already-encoded JSON, once per message, for
 * every SSE connection to share. Each block ends with the blank line that dispatches it.
 *
 * <p>JSON from {@link JsonCodec} is compact and has no line breaks; JSON that does (from an application
 * mapper that indents) is split into several {@code data:} lines, which the browser joins back with
 * {@code \n}, so the payload arrives intact. A line ends at {@code \r\n}, {@code \n} or {@code \r}, as
 * the SSE grammar has it.
 *
 * <p>Stateless and thread-safe.
 */
public final class SseFrames {
    private static final byte[] ID = ascii("id: ");
    private static final byte[] EVENT = ascii("event: ");
    private static final byte[] DATA = ascii("data: ");

    private SseFrames() {
    }

    /**
     * An unnamed event, delivered to {@code EventSource.onmessage}, carrying its id for resuming with
     * {@code Last-Event-ID}: {@code id: <id>\ndata: <json>\n\n}.
     *
     * @param id the event id
     * @param json the encoded event object
     * @return the block, a new array
     * @throws IllegalArgumentException when {@code id} holds a line break or NUL (the SSE grammar cannot
     *     carry it: a browser would misread or ignore the id)
     */
    public static byte[] event(String id, byte[] json) {
        return block(ID, field("id", id, true), json);
    }

    /**
     * A block that only moves the browser's last event id, {@code id: <id>\n\n}: it dispatches no event.
     *
     * @param id the event id
     * @return the block, a new array
     * @throws IllegalArgumentException as {@link #event}
     */
    public static byte[] cursor(String id) {
        byte[] value = field("id", id, true);
        byte[] out = new byte[ID.length + value.length + 2];
        System.arraycopy(ID, 0, out, 0, ID.length);
        System.arraycopy(value, 0, out, ID.length, value.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * An {@linkplain #event event} followed by an id-only {@linkplain #cursor block}: the browser's handler sees
     * the event with its own id, and the browser's last event id is {@code thenId} once the pair is read.
     *
     * @param id the event id
     * @param json the encoded event object
     * @param thenId the id the browser keeps afterwards
     * @return the two blocks, a new array
     * @throws IllegalArgumentException as {@link #event}
     */
    public static byte[] eventThenCursor(String id, byte[] json, String thenId) {
        byte[] event = event(id, json);
        byte[] cursor = cursor(thenId);
        byte[] out = Arrays.copyOf(event, event.length + cursor.length);
        System.arraycopy(cursor, 0, out, event.length, cursor.length);
        return out;
    }

    /**
     * A named event, delivered to {@code addEventListener(name, …)}:
     * {@code event: <name>\ndata: <json>\n\n}.
     *
     * @param eventName the event name, such as {@code connected}, {@code error} or {@code presence}
     * @param json the encoded message
     * @return the block, a new array
     * @throws IllegalArgumentException when {@code eventName} is empty or holds a line break or NUL
     */
    public static byte[] named(String eventName, byte[] json) {
        return block(EVENT, field("eventName", eventName, false), json);
    }

    /**
     * The reconnection delay the browser uses after the stream drops: {@code retry: <ms>\n\n}.
     *
     * @param ms milliseconds, not negative
     * @return the block, a new array
     * @throws IllegalArgumentException when {@code ms} is negative
     */
    public static byte[] retry(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms must not be negative: " + ms);
        }
        return ascii("retry: " + ms + "\n\n");
    }

    /**
     * A comment, which the browser ignores; keeps the connection alive: {@code : <text>\n\n}. A text
     * with line breaks becomes one comment line per line.
     *
     * @param text the comment, such as {@code ping}
     * @return the block, a new array
     */
    public static byte[] comment(String text) {
        Objects.requireNonNull(text, "text");
        StringBuilder b = new StringBuilder(text.length() + 4);
        int start = 0;
        int n = text.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : '\n';
            if (c == '\n' || c == '\r') {
                b.append(": ").append(text, start, i).append('\n');
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code <name><value>\n}, then {@code json} as one {@code data:} line per line, then the blank line. */
    private static byte[] block(byte[] name, byte[] value, byte[] json) {
        Objects.requireNonNull(json, "json");
        int n = json.length;
        int breaks = 0;
        for (byte c : json) {
            if (c == '\n' || c == '\r') {
                breaks++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                name.length + value.length + n + (breaks + 1) * (DATA.length + 1) + 2);
        out.writeBytes(name);
        out.writeBytes(value);
        out.write('\n');
        int start = 0;
        for (int i = 0; i < n && breaks > 0; i++) {
            byte c = json[i];
            if (c == '\n' || c == '\r') {
                out.writeBytes(DATA);
                out.write(json, start, i - start);
                out.write('\n');
                if (c == '\r' && i + 1 < n && json[i + 1] == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.writeBytes(DATA);
        out.write(json, start, n - start);
        out.write('\n');
        out.write('\n');
        return out.toByteArray();
    }

    private static byte[] field(String what, String value, boolean emptyAllowed) {
        Objects.requireNonNull(value, what);
        if (!emptyAllowed && value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\0') {
                throw new IllegalArgumentException(what + " must not contain a line break or NUL: " + value);
            }
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
