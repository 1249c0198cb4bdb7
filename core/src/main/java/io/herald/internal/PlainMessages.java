package io.herald.internal;

import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.nio.charset.StandardCharsets;

/**
 * Writes the two messages sent once per publish, {@code event} and the {@code published} answer, straight
 * into an array when every string in them is printable ASCII other than a quote or a backslash. Such
 * strings are written as they are, so the bytes are the ones {@link JsonMessageEncoder}'s generator
 * writes, for about half the time and less than half the garbage (the generator's setup was most of
 * their cost). Anything else answers {@code null}, and the generator writes the message.
 *
 * <p>Stateless and thread-safe.
 */
final class PlainMessages {
    private static final byte[] EVENT_HEAD = ascii("{\"type\":\"event\",\"topic\":\"");
    private static final byte[] ID_FIELD = ascii("\",\"id\":\"");
    private static final byte[] DATA_FIELD = ascii("\",\"data\":");
    private static final byte[] TS_FIELD = ascii(",\"ts\":");
    private static final byte[] ROOM_FIELD = ascii(",\"room\":\"");
    private static final byte[] FROM_FIELD = ascii(",\"from\":\"");
    private static final byte[] NULL = ascii("null");
    private static final byte[] PUBLISHED_HEAD = ascii("{\"type\":\"published\"");
    private static final byte[] REF_FIELD = ascii(",\"ref\":\"");
    private static final byte[] PUBLISHED_ID_FIELD = ascii(",\"id\":\"");
    private static final byte[] QUOTE_END = ascii("\"}");

    private PlainMessages() {
    }

    /**
     * @return the {@code event} as the generator writes it, or {@code null} when a string needs escaping (or
     *     the timestamp is negative, which only a custom history log could give)
     */
    static byte[] event(StoredEvent e) {
        String room = e.room();
        String from = e.from();
        long ts = e.timestamp();
        if (ts < 0 || !plain(e.topic()) || !plain(e.id()) || (room != null && !plain(room))
                || (from != null && !plain(from))) {
            return null;
        }
        byte[] data = e.data().length == 0 ? NULL : e.data();
        int length = EVENT_HEAD.length + e.topic().length() + ID_FIELD.length + e.id().length() + DATA_FIELD.length
                + data.length + TS_FIELD.length + digits(ts) + 1
                + (room == null ? 0 : ROOM_FIELD.length + room.length() + 1)
                + (from == null ? 0 : FROM_FIELD.length + from.length() + 1);
        byte[] out = new byte[length];
        int at = put(out, 0, EVENT_HEAD);
        at = put(out, at, e.topic());
        at = put(out, at, ID_FIELD);
        at = put(out, at, e.id());
        at = put(out, at, DATA_FIELD);
        at = put(out, at, data);
        at = put(out, at, TS_FIELD);
        at = put(out, at, ts);
        if (room != null) {
            at = put(out, at, ROOM_FIELD);
            at = put(out, at, room);
            out[at++] = '"';
        }
        if (from != null) {
            at = put(out, at, FROM_FIELD);
            at = put(out, at, from);
            out[at++] = '"';
        }
        out[at] = '}';
        return out;
    }

    /** @return the {@code published} answer as the generator writes it, or {@code null} when a string needs escaping */
    static byte[] published(ServerMessage.Published m) {
        String ref = m.ref();
        String id = m.id();
        if (id == null || !plain(id) || (ref != null && !plain(ref))) {
            return null;
        }
        byte[] out = new byte[PUBLISHED_HEAD.length + (ref == null ? 0 : REF_FIELD.length + ref.length() + 1)
                + PUBLISHED_ID_FIELD.length + id.length() + QUOTE_END.length];
        int at = put(out, 0, PUBLISHED_HEAD);
        if (ref != null) {
            at = put(out, at, REF_FIELD);
            at = put(out, at, ref);
            out[at++] = '"';
        }
        at = put(out, at, PUBLISHED_ID_FIELD);
        at = put(out, at, id);
        put(out, at, QUOTE_END);
        return out;
    }

    /** @return whether {@code s} is written as it is inside JSON quotes: printable ASCII, no quote or backslash */
    private static boolean plain(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** Copies a string already known to be {@linkplain #plain plain} ASCII. */
    private static int put(byte[] out, int at, String ascii) {
        for (int i = 0, n = ascii.length(); i < n; i++) {
            out[at + i] = (byte) ascii.charAt(i);
        }
        return at + ascii.length();
    }

    /** @return how many decimal digits a non-negative number has */
    private static int digits(long v) {
        int n = 1;
        for (long x = v; x >= 10; x /= 10) {
            n++;
        }
        return n;
    }

    /** Writes a non-negative number in decimal. */
    private static int put(byte[] out, int at, long v) {
        int end = at + digits(v);
        long x = v;
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + (int) (x % 10));
            x /= 10;
        }
        return end;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
