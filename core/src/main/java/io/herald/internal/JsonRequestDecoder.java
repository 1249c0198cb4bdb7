package io.herald.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.ErrorCode;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decodes {@code herald.v1} requests for {@link JsonCodec} in one streaming pass over the top-level
 * object. Every known field's value is captured whatever the request's type (its type may come last);
 * the checks run once the whole object is read, so an error about any field still carries the
 * request's {@code ref}. {@code data} is copied out as written, without its whitespace (the parser checks it
 * but nothing reads it); {@code filter} and {@code meta} are read as trees; everything else is read as
 * tokens, and unknown fields are skipped.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonRequestDecoder {
    /** A field whose JSON type cannot be right for any request that uses it. */
    private static final Object MISTYPED = new Object();
    /** A field given as JSON {@code null}: absent when optional, mistyped when required. */
    private static final Object NULL = new Object();
    /** The most characters of an unknown type name repeated in the error. */
    private static final int MAX_ECHOED_TYPE = 64;

    /** Jackson's "[Source: …; line: 1, column: 2]" inside messages. */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");
    /** Jackson's hints to enable parser features, meaningless to a client. */
    private static final Pattern FEATURE_HINT = Pattern.compile(
            ": enable `[^`]*` to allow| \\(not recognized as one since Feature '[A-Z_]+' not enabled for parser\\)");
    private static final int MAX_JACKSON_MESSAGE = 200;

    static final String TOPICS_EXPECTED = "field 'topics' must be a non-empty array of strings";
    static final String REF_EXPECTED =
            "field 'ref' must be a string of at most " + JsonCodec.MAX_REF_LENGTH + " characters";

    private JsonRequestDecoder() {
    }

    static Request decode(String text) throws ProtocolException {
        Fields fields = new Fields();
        try (JsonParser p = JsonCodec.FACTORY.createParser(text)) {
            read(p, fields, null, text);
        } catch (IOException | RuntimeException e) {
            throw failure(e, fields);
        }
        return fields.toRequest();
    }

    static Request decode(byte[] utf8) throws ProtocolException {
        return fields(utf8).toRequest();
    }

    /**
     * Decodes the body of an HTTP publish, {@code {"topic": …, "data": …}}, exactly as the {@code topic} and
     * {@code data} of a {@code publish} message: {@code data} is copied as written. Other fields are ignored,
     * as unknown fields of a message are.
     */
    static Request.Publish decodePublishBody(byte[] utf8) throws ProtocolException {
        return fields(utf8).publish(null, null, null);
    }

    private static Fields fields(byte[] utf8) throws ProtocolException {
        int nul = leadingNul(utf8);
        if (nul >= 0) {
            throw bad("message is not valid JSON: a NUL character at byte " + nul, null);
        }
        Fields fields = new Fields();
        try (JsonParser p = JsonCodec.FACTORY.createParser(utf8)) {
            read(p, fields, utf8, null);
        } catch (IOException | RuntimeException e) {
            throw failure(e, fields);
        }
        return fields;
    }

    /** Reads the request's fields; {@code utf8} or {@code text} is what {@code p} parses. */
    private static void read(JsonParser p, Fields f, byte[] utf8, String text) throws IOException, ProtocolException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw bad("message is not valid JSON: it is empty", null);
        }
        if (t != JsonToken.START_OBJECT) {
            throw bad("message must be a JSON object", null);
        }
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> f.type = string(p, v);
                case "ref" -> f.ref = ref(p, v);
                case "token" -> f.token = string(p, v);
                case "topics" -> f.topics = topics(p, v);
                case "filter" -> f.filter = object(p, v);
                case "since" -> f.since = string(p, v);
                case "room" -> f.room = string(p, v);
                case "meta" -> f.meta = object(p, v);
                case "topic" -> f.topic = string(p, v);
                case "data" -> f.data = data(p, v, utf8, text);
                case "echo" -> f.echo = bool(p, v);
                case "route" -> f.route = string(p, v);
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw bad("message is not valid JSON: it ends inside the object", f.validRef());
        }
        if (contentAfter(p)) {
            throw bad("message has content after the JSON object", f.validRef());
        }
    }

    /**
     * @param utf8 bytes a client sent as JSON
     * @return the index of a NUL among the first four bytes, else -1: never JSON in UTF-8, and Jackson would
     *     take such bytes for UTF-16 or UTF-32 and read them so
     */
    static int leadingNul(byte[] utf8) {
        for (int i = 0; i < Math.min(4, utf8.length); i++) {
            if (utf8[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param p a parser just past a complete JSON value
     * @return whether anything but whitespace follows it (something unreadable counts)
     */
    static boolean contentAfter(JsonParser p) throws IOException {
        try {
            return p.nextToken() != null;
        } catch (JsonProcessingException e) {
            return true;
        }
    }

    /**
     * Copies the {@code data} value out of the request as it was written, without its whitespace: a client's
     * data is relayed, so it is checked by the parser but never read into a tree.
     */
    private static byte[] data(JsonParser p, JsonToken v, byte[] utf8, String text) throws IOException {
        if (v == null) {
            return null;
        }
        JsonLocation start = p.currentTokenLocation();
        long from = utf8 != null ? start.getByteOffset() : start.getCharOffset();
        if (v == JsonToken.VALUE_STRING) {
            p.finishToken();
        } else {
            p.skipChildren();
        }
        if (utf8 != null) {
            return CompactJson.copy(utf8, (int) from, (int) p.currentLocation().getByteOffset());
        }
        int to = (int) p.currentLocation().getCharOffset();
        byte[] copy = CompactJson.copy(text, (int) from, to);
        if (copy == null) {
            // a lone surrogate: the generator escapes it
            return JsonCodec.writeTree(JsonCodec.MAPPER.readTree(text.substring((int) from, to)));
        }
        return copy;
    }

    private static Object string(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        return other(p, v);
    }

    private static Object ref(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            String ref = p.getText();
            return ref.length() <= JsonCodec.MAX_REF_LENGTH ? ref : MISTYPED;
        }
        return other(p, v);
    }

    private static Object bool(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_TRUE) {
            return Boolean.TRUE;
        }
        if (v == JsonToken.VALUE_FALSE) {
            return Boolean.FALSE;
        }
        return other(p, v);
    }

    private static Object object(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.START_OBJECT) {
            return JsonCodec.MAPPER.readTree(p);
        }
        return other(p, v);
    }

    private static Object topics(JsonParser p, JsonToken v) throws IOException, ProtocolException {
        if (v != JsonToken.START_ARRAY) {
            return other(p, v);
        }
        List<String> topics = new ArrayList<>(4);
        boolean allStrings = true;
        JsonToken item;
        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
            if (item == null) {
                throw bad("message is not valid JSON: it ends inside an array", null);
            }
            if (item == JsonToken.VALUE_STRING) {
                topics.add(p.getText());
            } else {
                allStrings = false;
                p.skipChildren();
            }
        }
        return allStrings && !topics.isEmpty() ? topics : MISTYPED;
    }

    /** A value of the wrong JSON type, or {@code null}: skips it and says which. */
    private static Object other(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return NULL;
        }
        p.skipChildren();
        return MISTYPED;
    }

    private static ProtocolException failure(Exception e, Fields fields) {
        String problem = problem(e);
        return bad(e instanceof StreamConstraintsException ? problem : "message is not valid JSON: " + problem,
                fields.validRef());
    }

    /**
     * Says why Jackson refused JSON a client sent, in the client's terms: the limit broken, or the syntax
     * error with its line and column but without parser internals.
     *
     * @param e what the parser threw
     * @return the problem, such as {@code nesting deeper than 32} or
     *     {@code Unexpected end-of-input: expected close marker for Object (line 1, column 7)}
     */
    static String problem(Exception e) {
        if (e instanceof StreamConstraintsException c) {
            return limitMessage(c.getOriginalMessage());
        }
        if (e instanceof JsonProcessingException j) {
            StringBuilder m = new StringBuilder(clean(j.getOriginalMessage()));
            JsonLocation at = j.getLocation();
            if (at != null && at.getLineNr() > 0) {
                m.append(" (line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(')');
            }
            return m.toString();
        }
        // Jackson signals malformed input with JsonProcessingException; anything else it throws on
        // hostile input is still the client's malformed JSON, not a server fault.
        return e.getClass().getSimpleName();
    }

    /**
     * Keeps Jackson's description of a syntax error but drops what only makes sense to a Jackson user:
     * source descriptions and hints to enable parser features.
     */
    private static String clean(String jackson) {
        String m = SOURCE.matcher(String.valueOf(jackson)).replaceAll("line $1, column $2");
        m = FEATURE_HINT.matcher(m).replaceAll("");
        return m.length() <= MAX_JACKSON_MESSAGE ? m : m.substring(0, MAX_JACKSON_MESSAGE) + "…";
    }

    private static String limitMessage(String jackson) {
        String m = String.valueOf(jackson);
        if (m.contains("MaxNestingDepth")) {
            return "nesting deeper than " + JsonCodec.MAX_DEPTH;
        }
        if (m.contains("MaxStringLength")) {
            return "a string is longer than " + JsonCodec.MAX_STRING_LENGTH + " characters";
        }
        if (m.contains("MaxNumberLength")) {
            return "a number is longer than " + JsonCodec.MAX_NUMBER_LENGTH + " characters";
        }
        return "message exceeds a parser limit: " + m;
    }

    private static ProtocolException bad(String message, String ref) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message, ref);
    }

    /** The captured top-level fields of one request; one instance per decode. */
    private static final class Fields {
        Object type;
        Object ref;
        Object token;
        Object topics;
        Object filter;
        Object since;
        Object room;
        Object meta;
        Object topic;
        byte[] data;
        Object echo;
        Object route;

        /** @return the ref when it can be echoed back: a string within the limit; else {@code null} */
        String validRef() {
            return ref instanceof String s ? s : null;
        }

        Request toRequest() throws ProtocolException {
            if (ref == MISTYPED) {
                throw bad(REF_EXPECTED, null);
            }
            String r = validRef();
            if (type == null) {
                throw bad("field 'type' is missing", r);
            }
            if (!(type instanceof String name)) {
                throw bad("field 'type' must be a string", r);
            }
            return switch (name) {
                case "subscribe" -> new Request.Subscribe(r, topics(r),
                        (JsonNode) optional(filter, "filter", "an object", r),
                        (String) optional(since, "since", "a string", r));
                case "publish" -> publish(r, room, echo);
                case "ping" -> new Request.Ping(r);
                case "unsubscribe" -> new Request.Unsubscribe(r, topics(r));
                case "join" -> new Request.Join(r, required(room, "room", r),
                        (JsonNode) optional(meta, "meta", "an object", r));
                case "leave" -> new Request.Leave(r, required(room, "room", r));
                case "send" -> new Request.Send(r, required(route, "route", r),
                        data == null ? NullNode.getInstance() : JsonCodec.readTree(data));
                case "auth" -> new Request.Auth(r, required(token, "token", r));
                default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + clip(name) + "'", r);
            };
        }

        /** A publish from the fields read, with the given {@code room} and {@code echo} fields. */
        Request.Publish publish(String r, Object room, Object echo) throws ProtocolException {
            String t = required(topic, "topic", r);
            if (data == null) {
                throw bad("field 'data' is missing", r);
            }
            String inRoom = (String) optional(room, "room", "a string", r);
            Boolean e = (Boolean) optional(echo, "echo", "a boolean", r);
            return new Request.Publish(r, t, inRoom, data, e == null || e);
        }

        @SuppressWarnings("unchecked")
        private List<String> topics(String r) throws ProtocolException {
            if (topics == null) {
                throw bad("field 'topics' is missing", r);
            }
            if (!(topics instanceof List<?>)) {
                throw bad(TOPICS_EXPECTED, r);
            }
            return (List<String>) topics;
        }

        private static String required(Object value, String field, String r) throws ProtocolException {
            if (value == null) {
                throw bad("field '" + field + "' is missing", r);
            }
            if (!(value instanceof String s)) {
                throw bad("field '" + field + "' must be a string", r);
            }
            return s;
        }

        private static Object optional(Object value, String field, String expected, String r)
                throws ProtocolException {
            if (value == null || value == NULL) {
                return null;
            }
            if (value == MISTYPED) {
                throw bad("field '" + field + "' must be " + expected, r);
            }
            return value;
        }

        private static String clip(String name) {
            if (name.length() <= MAX_ECHOED_TYPE) {
                return name;
            }
            int end = MAX_ECHOED_TYPE - (Character.isHighSurrogate(name.charAt(MAX_ECHOED_TYPE - 1)) ? 1 : 0);
            return name.substring(0, end) + "…";
        }
    }
}
