package io.herald.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Member;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes {@link ServerMessage}s for {@link JsonCodec} with a streaming {@link JsonGenerator}: compact
 * output, the protocol's field names in a fixed order, optional fields left out when {@code null}.
 * An event's stored data bytes go in as a raw value. Strings are escaped by the generator, so any
 * {@code String} (control characters, lone surrogates) yields valid JSON in valid UTF-8.
 *
 * <p>The two messages sent once per event, {@code event} and the {@code published} answer, are written
 * straight into an array when every string in them is printable ASCII other than a quote or a backslash:
 * the same bytes the generator writes, for about a fifth of the work. Any other string (which needs
 * escaping or is not ASCII) sends the message through the generator.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonMessageEncoder {
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString REF = new SerializedString("ref");
    private static final SerializedString TOPIC = new SerializedString("topic");
    private static final SerializedString TOPICS = new SerializedString("topics");
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString DATA = new SerializedString("data");
    private static final SerializedString TS = new SerializedString("ts");
    private static final SerializedString ROOM = new SerializedString("room");
    private static final SerializedString FROM = new SerializedString("from");
    private static final SerializedString USER = new SerializedString("user");
    private static final SerializedString RECOVERED = new SerializedString("recovered");
    private static final SerializedString CONNECTION_ID = new SerializedString("connectionId");
    private static final SerializedString META = new SerializedString("meta");

    private static final byte[] BATCH_HEAD = "{\"type\":\"batch\",\"frames\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BATCH_TAIL = "]}".getBytes(StandardCharsets.US_ASCII);
    /** Written for an event whose stored data is empty, so the frame stays valid JSON. */
    private static final RawJson EMPTY_DATA = new RawJson("null".getBytes(StandardCharsets.US_ASCII));

    /** The fixed parts of {@code event} and {@code published}, for {@link #plainEvent} and {@link #plainPublished}. */
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

    private JsonMessageEncoder() {
    }

    static byte[] encode(ServerMessage message) {
        byte[] plain = message instanceof ServerMessage.Event m ? plainEvent(m.event())
                : message instanceof ServerMessage.Published m ? plainPublished(m) : null;
        return plain != null ? plain : generate(message);
    }

    /** Encodes with the generator, whatever the message holds. */
    static byte[] generate(ServerMessage message) {
        BufferRecycler recycler = JsonCodec.FACTORY._getBufferRecycler();
        try {
            ByteArrayBuilder out = new ByteArrayBuilder(recycler);
            try (JsonGenerator g = JsonCodec.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                write(g, message);
                g.writeEndObject();
            }
            byte[] bytes = out.toByteArray();
            out.release();
            return bytes;
        } catch (IOException e) {
            // Writing to memory fails only when a JsonNode holds a POJO that cannot be serialized.
            throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        } finally {
            recycler.releaseToPool();
        }
    }

    /**
     * @return the {@code event} as the generator writes it, or {@code null} when a string needs escaping (or
     *     the timestamp is negative, which only a custom history log could give)
     */
    static byte[] plainEvent(StoredEvent e) {
        String room = e.room();
        String from = e.from();
        if (!plain(e.topic()) || !plain(e.id()) || (room != null && !plain(room)) || (from != null && !plain(from))) {
            return null;
        }
        byte[] data = e.data().length == 0 ? NULL : e.data();
        long ts = e.timestamp();
        if (ts < 0) {
            return null;
        }
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
    static byte[] plainPublished(ServerMessage.Published m) {
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

    static byte[] encodeBatch(List<byte[]> frames) {
        int n = frames.size();
        int length = BATCH_HEAD.length + BATCH_TAIL.length + Math.max(0, n - 1);
        for (byte[] f : frames) {
            length = Math.addExact(length, f.length);
        }
        byte[] out = new byte[length];
        System.arraycopy(BATCH_HEAD, 0, out, 0, BATCH_HEAD.length);
        int at = BATCH_HEAD.length;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out[at++] = ',';
            }
            byte[] f = frames.get(i);
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        System.arraycopy(BATCH_TAIL, 0, out, at, BATCH_TAIL.length);
        return out;
    }

    private static void write(JsonGenerator g, ServerMessage message) throws IOException {
        if (message instanceof ServerMessage.Event m) {
            event(g, m.event());
        } else if (message instanceof ServerMessage.Published m) {
            head(g, "published", m.ref());
            g.writeFieldName(ID);
            g.writeString(m.id());
        } else if (message instanceof ServerMessage.Presence m) {
            type(g, "presence");
            g.writeFieldName(ROOM);
            g.writeString(m.room());
            g.writeStringField("action", m.action());
            g.writeFieldName("member");
            member(g, m.member());
        } else if (message instanceof ServerMessage.Error m) {
            error(g, m);
        } else if (message instanceof ServerMessage.Pong m) {
            head(g, "pong", m.ref());
            g.writeFieldName(TS);
            g.writeNumber(m.ts());
        } else if (message instanceof ServerMessage.Subscribed m) {
            head(g, "subscribed", m.ref());
            strings(g, m.topics());
            if (m.recovered() != null) {
                g.writeFieldName(RECOVERED);
                g.writeBoolean(m.recovered());
            }
        } else if (message instanceof ServerMessage.Unsubscribed m) {
            head(g, "unsubscribed", m.ref());
            strings(g, m.topics());
        } else if (message instanceof ServerMessage.Joined m) {
            head(g, "joined", m.ref());
            g.writeFieldName(ROOM);
            g.writeString(m.room());
            g.writeArrayFieldStart("members");
            if (m.members() != null) {
                for (Member member : m.members()) {
                    member(g, member);
                }
            }
            g.writeEndArray();
        } else if (message instanceof ServerMessage.Left m) {
            head(g, "left", m.ref());
            g.writeFieldName(ROOM);
            g.writeString(m.room());
        } else if (message instanceof ServerMessage.Reply m) {
            head(g, "reply", m.ref());
            g.writeFieldName(DATA);
            tree(g, m.data());
        } else if (message instanceof ServerMessage.Authenticated m) {
            head(g, "authenticated", m.ref());
            g.writeFieldName(USER);
            g.writeString(m.user());
        } else if (message instanceof ServerMessage.Connected m) {
            connected(g, m);
        } else {
            throw new IllegalArgumentException("unknown message " + message.getClass().getName());
        }
    }

    private static void event(JsonGenerator g, StoredEvent e) throws IOException {
        type(g, "event");
        g.writeFieldName(TOPIC);
        g.writeString(e.topic());
        g.writeFieldName(ID);
        g.writeString(e.id());
        g.writeFieldName(DATA);
        g.writeRawValue(e.data().length == 0 ? EMPTY_DATA : new RawJson(e.data()));
        g.writeFieldName(TS);
        g.writeNumber(e.timestamp());
        optional(g, ROOM, e.room());
        optional(g, FROM, e.from());
    }

    private static void error(JsonGenerator g, ServerMessage.Error m) throws IOException {
        type(g, "error");
        g.writeStringField("code", m.code() == null ? null : m.code().name());
        g.writeStringField("message", m.message());
        optional(g, REF, m.ref());
        if (m.retryAfterMs() > 0) {
            g.writeNumberField("retryAfterMs", m.retryAfterMs());
        }
        if (m.closing() != null) {
            g.writeStringField("reason", m.closing().reason());
            g.writeNumberField("closeCode", m.closing().code());
        }
    }

    private static void connected(JsonGenerator g, ServerMessage.Connected m) throws IOException {
        type(g, "connected");
        g.writeFieldName(CONNECTION_ID);
        g.writeString(m.connectionId());
        g.writeStringField("protocol", m.protocol());
        g.writeNumberField("heartbeatMs", m.heartbeatMs());
        g.writeStringField("node", m.node());
        optional(g, USER, m.user());
        if (m.controlToken() != null) {
            g.writeStringField("controlToken", m.controlToken());
        }
        if (m.recovered() != null) {
            g.writeFieldName(RECOVERED);
            g.writeBoolean(m.recovered());
        }
    }

    private static void member(JsonGenerator g, Member member) throws IOException {
        if (member == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeFieldName(CONNECTION_ID);
        g.writeString(member.connectionId());
        optional(g, USER, member.user());
        if (member.meta() != null) {
            g.writeFieldName(META);
            tree(g, member.meta());
        }
        g.writeEndObject();
    }

    private static void type(JsonGenerator g, String type) throws IOException {
        g.writeFieldName(TYPE);
        g.writeString(type);
    }

    /** The type, then the ref when there is one: the start of every answer. */
    private static void head(JsonGenerator g, String type, String ref) throws IOException {
        type(g, type);
        optional(g, REF, ref);
    }

    private static void optional(JsonGenerator g, SerializedString field, String value) throws IOException {
        if (value != null) {
            g.writeFieldName(field);
            g.writeString(value);
        }
    }

    private static void strings(JsonGenerator g, List<String> topics) throws IOException {
        g.writeFieldName(TOPICS);
        g.writeStartArray();
        if (topics != null) {
            for (String t : topics) {
                g.writeString(t);
            }
        }
        g.writeEndArray();
    }

    private static void tree(JsonGenerator g, JsonNode node) throws IOException {
        if (node == null) {
            g.writeNull();
        } else {
            JsonCodec.MAPPER.writeTree(g, node);
        }
    }
}
