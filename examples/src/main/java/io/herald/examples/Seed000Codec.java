package io.herald.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.spi.Codec;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seed 000's wire format (a task-event WebSocket server) through Herald's {@link Codec} SPI.
 *
 * <p>In: {@code {"type":"subscribe","events":[…]}}, {@code {"type":"unsubscribe","events":[…]}},
 * {@code {"type":"ping"}}; an optional {@code ref} and {@code since} (Herald additions) are honoured. The
 * seed's catch-all pattern {@code *} is read as Herald's {@code **}; every other pattern keeps Herald's
 * meaning ({@code task.*} is one segment, {@code **.error} any depth).
 *
 * <p>Out: every message is {@code {"type", "payload", "metadata": {"timestamp" (ISO-8601), "instanceId"}}}:
 * {@code connection.established} ({@code clientId}, {@code user}), {@code subscription.confirmed} and
 * {@code subscription.updated} ({@code subscriptions}: the patterns of that request, {@code count}),
 * {@code pong}, events as {@code {"type": <topic>, "payload": <data>, "metadata": {…, "id"}}} and
 * {@code error} ({@code message}, {@code code}; the rate limit answers the seed's "Rate limit exceeded").
 * Stateless and thread-safe; an event is encoded once for all recipients.
 */
final class Seed000Codec implements Codec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String instanceId;
    private final Clock clock;

    Seed000Codec(String instanceId, Clock clock) {
        this.instanceId = instanceId;
        this.clock = clock;
    }

    @Override
    public Request decode(String text) throws ProtocolException {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "not JSON", null);
        }
        if (n == null || !n.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "a message must be a JSON object", null);
        }
        String ref = n.path("ref").isTextual() ? n.get("ref").asText() : null;
        String type = n.path("type").asText("");
        return switch (type) {
            case "subscribe" -> new Request.Subscribe(ref, events(n, ref), null,
                    n.path("since").isTextual() ? n.get("since").asText() : null);
            case "unsubscribe" -> new Request.Unsubscribe(ref, events(n, ref));
            case "ping" -> new Request.Ping(ref);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "unknown message type '" + type + "' (subscribe, unsubscribe, ping)", ref);
        };
    }

    private static List<String> events(JsonNode n, String ref) throws ProtocolException {
        JsonNode events = n.get("events");
        if (events == null || !events.isArray() || events.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "events must be a non-empty array of patterns", ref);
        }
        List<String> patterns = new ArrayList<>();
        for (JsonNode e : events) {
            if (!e.isTextual()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "events must hold strings", ref);
            }
            patterns.add(e.asText().equals("*") ? "**" : e.asText());
        }
        return patterns;
    }

    @Override
    public Request decode(byte[] bytes) throws ProtocolException {
        return decode(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public byte[] encode(ServerMessage message) {
        if (message instanceof ServerMessage.Event e) {
            return event(e.event());
        }
        ObjectNode payload = JSON.createObjectNode();
        String type;
        String ref = null;
        if (message instanceof ServerMessage.Connected c) {
            type = "connection.established";
            payload.put("clientId", c.connectionId());
            payload.put("user", c.user());
        } else if (message instanceof ServerMessage.Subscribed s) {
            type = "subscription.confirmed";
            ref = s.ref();
            payload.set("subscriptions", JSON.valueToTree(s.topics()));
            payload.put("count", s.topics().size());
            if (s.recovered() != null) {
                payload.put("recovered", s.recovered());
            }
        } else if (message instanceof ServerMessage.Unsubscribed u) {
            type = "subscription.updated";
            ref = u.ref();
            payload.set("unsubscribed", JSON.valueToTree(u.topics()));
            payload.put("count", u.topics().size());
        } else if (message instanceof ServerMessage.Pong p) {
            type = "pong";
            ref = p.ref();
        } else if (message instanceof ServerMessage.Error err) {
            type = "error";
            ref = err.ref();
            payload.put("message", err.code() == ErrorCode.RATE_LIMITED ? "Rate limit exceeded" : err.message());
            payload.put("code", err.code().name());
            if (err.retryAfterMs() > 0) {
                payload.put("retryAfterMs", err.retryAfterMs());
            }
        } else {
            type = message.getClass().getSimpleName().toLowerCase(Locale.ROOT);
            payload = JSON.valueToTree(message);
        }
        ObjectNode frame = JSON.createObjectNode().put("type", type);
        frame.set("payload", payload);
        frame.putObject("metadata").put("timestamp", clock.instant().toString()).put("instanceId", instanceId);
        if (ref != null) {
            frame.put("ref", ref);
        }
        try {
            return JSON.writeValueAsBytes(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] event(StoredEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(event.data().length + 160);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", event.topic());
            g.writeFieldName("payload");
            g.writeRawValue(event.data().length == 0 ? "null" : new String(event.data(), StandardCharsets.UTF_8));
            g.writeObjectFieldStart("metadata");
            g.writeStringField("timestamp", Instant.ofEpochMilli(event.timestamp()).toString());
            g.writeStringField("instanceId", instanceId);
            g.writeStringField("id", event.id());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Batches as a JSON array of the frames; seed 000 clients never ask for batching. */
    @Override
    public byte[] encodeBatch(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('[');
        for (int i = 0; i < frames.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(frames.get(i));
        }
        out.write(']');
        return out.toByteArray();
    }
}
