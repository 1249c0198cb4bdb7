package io.herald.internal;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.herald.ErrorCode;
import io.herald.spi.Codec;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * The default wire format, {@code herald.v1}: one compact JSON object per message, as the protocol
 * contract describes it.
 *
 * <p>Decoding checks JSON types only; names of topics, patterns and rooms are the hub's to validate.
 * A request's {@code ref} is read wherever it stands in the object, so even an error about an earlier
 * field carries it. Hostile input is bounded: at most {@value #MAX_DEPTH} levels of nesting for the
 * whole message, strings of at most {@value #MAX_STRING_LENGTH} characters where the codec reads them
 * (an ignored field's value, and a string nested inside {@code data}, is checked without being buffered,
 * so only the frame size bounds it), numbers of at most
 * {@value #MAX_NUMBER_LENGTH} characters; duplicate keys and content after the object are refused.
 * Every failure is a {@link ProtocolException}, never another exception. JSON {@code null} in an
 * optional field means the field is absent. A publication's {@code data} is relayed as the client wrote
 * it, only the whitespace outside its strings removed: it is never read into numbers, so it keeps its
 * precision. Numbers the codec does read (in filters, member metadata, a route's argument) with a
 * fraction or an exponent are read as {@link java.math.BigDecimal} exactly as written.
 *
 * <p>Encoding writes exactly the protocol's field names and leaves optional fields out when they are
 * {@code null}. Strings are escaped so the output is valid JSON and valid UTF-8 whatever they hold
 * (control characters and lone surrogates become {@code \\uXXXX} escapes). An event's data is copied
 * in as the stored bytes, never re-parsed.
 *
 * <p>Stateless and thread-safe: one instance serves every connection. Never blocks.
 */
public final class JsonCodec implements Codec {
    /** The protocol name this codec speaks, offered as the WebSocket subprotocol. */
    public static final String PROTOCOL = "herald.v1";
    /** The most levels of nesting in one request, the request object itself counting as one. */
    public static final int MAX_DEPTH = 32;
    /** The most characters in a request's {@code ref}. */
    public static final int MAX_REF_LENGTH = 128;
    /** The most characters in one string value the codec reads (1 MiB). */
    public static final int MAX_STRING_LENGTH = 1 << 20;
    /** The most characters in one number. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    /** Parses requests (strict limits) and generates every message. Shared, thread-safe. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .errorReportConfiguration(ErrorReportConfiguration.builder()
                    .maxErrorTokenLength(32)
                    .maxRawContentLength(0)
                    .build())
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /** Why {@link #readClientJson} refuses JSON that goes on after its value. */
    private static final String CONTENT_AFTER_VALUE = "content after the JSON value";

    /** Reads JSON values inside requests and writes trees; bound to {@link #FACTORY}. */
    static final ObjectMapper MAPPER = configure(JsonMapper.builder(FACTORY));

    /** Reads stored event data: Jackson's default limits, since that data was accepted once already. */
    private static final ObjectMapper STORED = configure(JsonMapper.builder(JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build()));

    /**
     * @param json JSON a client sent outside a protocol message
     * @return its tree, read under the request limits ({@link io.herald.spi.ClientJson}); {@code MissingNode}
     *     when there is only whitespace
     * @throws JsonProcessingException when it is not one JSON value, has content after the value, or
     *     breaks a limit
     */
    public static JsonNode readClientJson(String json) throws JsonProcessingException {
        try {
            return readWhole(FACTORY.createParser(json));
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            // a string is read without I/O: Jackson declares the exception all the same
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param json JSON a client sent outside a protocol message, UTF-8
     * @return its tree, read under the request limits ({@link io.herald.spi.ClientJson}); {@code MissingNode}
     *     when there is only whitespace
     * @throws java.io.IOException when it is not one JSON value, has content after the value, or
     *     breaks a limit
     */
    public static JsonNode readClientJson(byte[] json) throws IOException {
        int nul = JsonRequestDecoder.leadingNul(json);
        if (nul >= 0) {
            throw new JsonParseException(null, "a NUL character at byte " + nul + " (JSON must be UTF-8)");
        }
        return readWhole(FACTORY.createParser(json));
    }

    /**
     * @param e what {@link #readClientJson} threw
     * @return why the JSON was refused, in the words of a protocol error: the limit broken, or the syntax
     *     error and where, without the parser's internals
     */
    public static String describeClientJsonProblem(JsonProcessingException e) {
        return JsonRequestDecoder.problem(e);
    }

    private static JsonNode readWhole(JsonParser p) throws IOException {
        try (p) {
            if (p.nextToken() == null) {
                return MissingNode.getInstance();
            }
            JsonNode node = MAPPER.readTree(p);
            if (JsonRequestDecoder.contentAfter(p)) {
                throw new JsonParseException(p, CONTENT_AFTER_VALUE);
            }
            return node;
        }
    }

    /**
     * Decodes the body of an HTTP publish as a {@code publish} message's {@code topic} and {@code data}:
     * strict UTF-8, the same limits, and {@code data} relayed as written.
     *
     * @param body the request body
     * @return a publish to a topic, with no {@code ref}
     * @throws ProtocolException {@code BAD_REQUEST} naming what is wrong
     */
    public static Request.Publish decodePublishBody(byte[] body) throws ProtocolException {
        Objects.requireNonNull(body, "body");
        if (!Utf8.isValid(body)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "message is not valid UTF-8", null);
        }
        return JsonRequestDecoder.decodePublishBody(body);
    }

    /** Creates the codec. Instances are interchangeable; they share all state. */
    public JsonCodec() {
    }

    private static ObjectMapper configure(JsonMapper.Builder builder) {
        return builder
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }

    /**
     * Decodes one text message.
     *
     * @param text the message as received
     * @return the request
     * @throws ProtocolException {@code BAD_REQUEST} when it is not a JSON object, a field is missing or
     *     mistyped, or a limit is exceeded; {@code UNKNOWN_TYPE} when {@code type} names no request
     */
    @Override
    public Request decode(String text) throws ProtocolException {
        Objects.requireNonNull(text, "text");
        return JsonRequestDecoder.decode(text);
    }

    /**
     * Decodes one text message from its bytes, parsing them as they are.
     *
     * @param utf8 the message as received, already checked to be well-formed UTF-8; not modified
     * @return the request
     * @throws ProtocolException as {@link #decode(String)}
     */
    @Override
    public Request decodeText(byte[] utf8) throws ProtocolException {
        Objects.requireNonNull(utf8, "utf8");
        return JsonRequestDecoder.decode(utf8);
    }

    /**
     * Decodes one binary message: strict UTF-8 (overlong forms, encoded surrogates and truncated
     * sequences are refused), then as {@link #decode(String)}.
     *
     * @param bytes the message as received; not modified
     * @return the request
     * @throws ProtocolException {@code BAD_REQUEST} "message is not valid UTF-8", or as {@link #decode(String)}
     */
    @Override
    public Request decode(byte[] bytes) throws ProtocolException {
        Objects.requireNonNull(bytes, "bytes");
        if (!Utf8.isValid(bytes)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "message is not valid UTF-8", null);
        }
        return JsonRequestDecoder.decode(bytes);
    }

    /**
     * Encodes a server message as one compact JSON object.
     *
     * @param message the message
     * @return UTF-8 JSON, a new array the caller owns
     * @throws IllegalArgumentException only when a {@code reply}'s or member's {@link JsonNode} holds a
     *     POJO that cannot be serialized; never because of a string's content
     */
    @Override
    public byte[] encode(ServerMessage message) {
        Objects.requireNonNull(message, "message");
        return JsonMessageEncoder.encode(message);
    }

    /**
     * Wraps encoded messages as {@code {"type":"batch","frames":[…]}} by concatenating their bytes.
     *
     * @param frames encoded messages, in order; may be empty
     * @return the batch, a new array
     */
    @Override
    public byte[] encodeBatch(List<byte[]> frames) {
        Objects.requireNonNull(frames, "frames");
        return JsonMessageEncoder.encodeBatch(frames);
    }

    /**
     * Serializes application data to JSON once, for storing and sharing between recipients.
     * Thread-safe as far as {@code mapper} is.
     *
     * @param mapper the application's mapper
     * @param data the value; {@code null} gives JSON {@code null}
     * @return UTF-8 JSON, checked to be well-formed UTF-8
     * @throws IllegalArgumentException when {@code data} cannot be serialized, or the mapper produced no
     *     output or invalid UTF-8; the message names the data's type
     */
    public static byte[] writeValue(ObjectMapper mapper, Object data) {
        Objects.requireNonNull(mapper, "mapper");
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "data of type " + typeName(data) + " cannot be serialized as JSON: " + e.getOriginalMessage(), e);
        }
        if (json.length == 0) {
            throw new IllegalArgumentException("data of type " + typeName(data) + " serialized to nothing");
        }
        int bad = Utf8.firstInvalid(json);
        if (bad >= 0) {
            throw new IllegalArgumentException("data of type " + typeName(data)
                    + " serialized to invalid UTF-8 at byte " + bad + " (a custom serializer writing raw content?)");
        }
        return json;
    }

    /**
     * Serializes a JSON tree compactly with Herald's own settings (for data a client published).
     * Thread-safe.
     *
     * @param node the tree; {@code null} gives JSON {@code null}
     * @return UTF-8 JSON
     * @throws IllegalArgumentException when the tree holds a POJO that cannot be serialized
     */
    public static byte[] writeTree(JsonNode node) {
        return writeValue(MAPPER, node);
    }

    /**
     * Parses stored JSON, such as an event's data for evaluating subscription filters. Uses Jackson's
     * default limits (not the request limits): the data was accepted once already. Thread-safe.
     *
     * @param json UTF-8 JSON holding one value
     * @return the tree; never {@code null} ({@code null} JSON gives a {@code NullNode})
     * @throws IllegalArgumentException when {@code json} is not one JSON value
     */
    public static JsonNode readTree(byte[] json) {
        Objects.requireNonNull(json, "json");
        try (JsonParser p = STORED.createParser(json)) {
            if (p.nextToken() == null) {
                throw new IllegalArgumentException("not valid JSON: no content");
            }
            JsonNode node = STORED.readTree(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("not valid JSON: content after the value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String typeName(Object data) {
        return data == null ? "null" : data.getClass().getName();
    }
}
