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
 * by {@link PlainMessages} when none of their strings needs escaping: the same bytes, without the generator.
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

    private JsonMessageEncoder() {
    }

    static byte[] encode(ServerMessage message) {
        byte[] plain = message instanceof ServerMessage.Event m ? PlainMessages.event(m.event())
                : message instanceof ServerMessage.Published m ? PlainMessages.published(m) : null;
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
        optional(g, ROOM, m.room());
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
