package io.herald.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames a hostile or careless client may send. Each must be answered with the right code and a
 * message precise enough to fix the client, and decoding must never throw anything but
 * {@link ProtocolException}.
 */
class BadFrameCorpusTest {
    private static final ErrorCode BAD = ErrorCode.BAD_REQUEST;
    private static final String TOPICS = "field 'topics' must be a non-empty array of strings";
    private static final String REF = "field 'ref' must be a string of at most 128 characters";
    private static final String DEEP = "nesting deeper than 32";

    private final JsonCodec codec = new JsonCodec();

    static Stream<Arguments> textCorpus() {
        return Stream.of(
                bad("not JSON", "hello", "message is not valid JSON: Unrecognized token 'hello'"),
                bad("empty string", "", "message is not valid JSON: it is empty"),
                bad("only whitespace", " \n\t ", "message is not valid JSON: it is empty"),
                bad("JSON array", "[{\"type\":\"ping\"}]", "message must be a JSON object"),
                bad("JSON string", "\"ping\"", "message must be a JSON object"),
                bad("JSON number", "42", "message must be a JSON object"),
                bad("JSON null", "null", "message must be a JSON object"),
                bad("JSON true", "true", "message must be a JSON object"),
                bad("empty object", "{}", "field 'type' is missing"),
                bad("missing type", "{\"ref\":\"r\",\"topics\":[\"a\"]}", "field 'type' is missing", "r"),
                bad("type a number", "{\"type\":1}", "field 'type' must be a string"),
                bad("type null", "{\"type\":null}", "field 'type' must be a string"),
                bad("type an object", "{\"type\":{\"name\":\"ping\"}}", "field 'type' must be a string"),
                row("unknown type", "{\"type\":\"shout\"}", ErrorCode.UNKNOWN_TYPE, "unknown type 'shout'", null),
                row("type in the wrong case", "{\"type\":\"PING\"}", ErrorCode.UNKNOWN_TYPE, "unknown type 'PING'", null),
                row("huge unknown type is truncated", "{\"type\":\"" + "x".repeat(5000) + "\"}",
                        ErrorCode.UNKNOWN_TYPE, "unknown type '" + "x".repeat(64) + "…'", null),

                bad("auth without token", "{\"type\":\"auth\"}", "field 'token' is missing"),
                bad("auth token a number", "{\"type\":\"auth\",\"token\":123}", "field 'token' must be a string"),
                bad("auth token null", "{\"type\":\"auth\",\"token\":null}", "field 'token' must be a string"),

                bad("subscribe without topics", "{\"type\":\"subscribe\"}", "field 'topics' is missing"),
                bad("topics not an array", "{\"type\":\"subscribe\",\"topics\":\"a.b\"}", TOPICS),
                bad("topics empty", "{\"type\":\"subscribe\",\"topics\":[]}", TOPICS),
                bad("topics with a number", "{\"type\":\"subscribe\",\"topics\":[\"a\",1]}", TOPICS),
                bad("topics with null", "{\"type\":\"subscribe\",\"topics\":[null]}", TOPICS),
                bad("topics with an array", "{\"type\":\"subscribe\",\"topics\":[[\"a\"]]}", TOPICS),
                bad("topics null", "{\"type\":\"subscribe\",\"topics\":null}", TOPICS),
                bad("filter an array", "{\"type\":\"subscribe\",\"topics\":[\"a\"],\"filter\":[1]}",
                        "field 'filter' must be an object"),
                bad("filter a string", "{\"type\":\"subscribe\",\"topics\":[\"a\"],\"filter\":\"x=1\"}",
                        "field 'filter' must be an object"),
                bad("since a number", "{\"type\":\"subscribe\",\"topics\":[\"a\"],\"since\":42}",
                        "field 'since' must be a string"),

                bad("unsubscribe without topics", "{\"type\":\"unsubscribe\"}", "field 'topics' is missing"),
                bad("unsubscribe topics an object", "{\"type\":\"unsubscribe\",\"topics\":{}}", TOPICS),

                bad("join without room", "{\"type\":\"join\"}", "field 'room' is missing"),
                bad("join room a number", "{\"type\":\"join\",\"room\":7}", "field 'room' must be a string"),
                bad("join meta a string", "{\"type\":\"join\",\"room\":\"r\",\"meta\":\"me\"}", "field 'meta' must be an object"),
                bad("join meta an array", "{\"type\":\"join\",\"room\":\"r\",\"meta\":[]}", "field 'meta' must be an object"),
                bad("leave without room", "{\"type\":\"leave\"}", "field 'room' is missing"),
                bad("leave room a boolean", "{\"type\":\"leave\",\"room\":true}", "field 'room' must be a string"),

                bad("publish without topic", "{\"type\":\"publish\",\"data\":1}", "field 'topic' is missing"),
                bad("publish topic a number", "{\"type\":\"publish\",\"topic\":1,\"data\":1}", "field 'topic' must be a string"),
                bad("publish without data", "{\"type\":\"publish\",\"topic\":\"t\"}", "field 'data' is missing"),
                bad("publish room a number", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":1,\"room\":5}",
                        "field 'room' must be a string"),
                bad("publish echo a string", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":1,\"room\":\"r\",\"echo\":\"no\"}",
                        "field 'echo' must be a boolean"),
                bad("publish echo a number", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":1,\"echo\":0}",
                        "field 'echo' must be a boolean"),
                bad("send without route", "{\"type\":\"send\",\"data\":{}}", "field 'route' is missing"),
                bad("send route an array", "{\"type\":\"send\",\"route\":[\"a\"]}", "field 'route' must be a string"),

                bad("huge ref", "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(10_000) + "\"}", REF),
                bad("ref one over the limit", "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(129) + "\"}", REF),
                bad("ref a number", "{\"type\":\"ping\",\"ref\":12}", REF),
                bad("ref an object", "{\"type\":\"ping\",\"ref\":{\"id\":1}}", REF),
                bad("bad ref wins over a bad field", "{\"type\":\"subscribe\",\"ref\":true,\"topics\":[]}", REF),

                bad("duplicate type", "{\"type\":\"ping\",\"type\":\"ping\"}", "Duplicate field 'type'"),
                bad("duplicate key inside data", "{\"ref\":\"d\",\"type\":\"publish\",\"topic\":\"t\",\"data\":{\"a\":1,\"a\":2}}",
                        "Duplicate field 'a'", "d"),
                bad("trailing garbage", "{\"type\":\"ping\",\"ref\":\"t\"} x", "message has content after the JSON object", "t"),
                bad("two objects", "{\"type\":\"ping\"}{\"type\":\"ping\"}", "message has content after the JSON object"),
                bad("extra closing brace", "{\"type\":\"ping\"}}", "message has content after the JSON object"),
                bad("unterminated object", "{\"type\":\"ping\"", "message is not valid JSON: Unexpected end-of-input"),
                bad("unterminated string", "{\"type\":\"pi", "message is not valid JSON: Unexpected end-of-input"),
                bad("trailing comma", "{\"type\":\"ping\",}", "message is not valid JSON: Unexpected character"),
                bad("single quotes", "{'type':'ping'}", "message is not valid JSON: Unexpected character"),
                bad("comment", "/* hi */ {\"type\":\"ping\"}", "message is not valid JSON: Unexpected character"),
                bad("NaN in data", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":NaN}", "message is not valid JSON: "),
                bad("leading zero", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":007}", "message is not valid JSON: "),
                bad("raw control character in a string", "{\"type\":\"ping\",\"ref\":\"a\u0001b\"}",
                        "message is not valid JSON: Illegal unquoted character"),
                bad("number with 2000 digits", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + "9".repeat(2000) + "}",
                        "a number is longer than 1000 characters"),

                bad("10,000-deep arrays in data", "{\"ref\":\"n\",\"type\":\"publish\",\"topic\":\"t\",\"data\":"
                        + "[".repeat(10_000) + "]".repeat(10_000) + "}", DEEP, "n"),
                bad("10,000-deep objects in data", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":"
                        + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}", DEEP),
                bad("10,000-deep unclosed arrays", "{\"type\":\"send\",\"route\":\"r\",\"data\":" + "[".repeat(10_000), DEEP),
                bad("deep nesting in an ignored field", "{\"type\":\"ping\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}",
                        DEEP),
                bad("10 MB string in data", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"" + "x".repeat(10 << 20) + "\"}",
                        "a string is longer than 1048576 characters"),
                bad("10 MB token", "{\"type\":\"auth\",\"token\":\"" + "x".repeat(10 << 20) + "\"}",
                        "a string is longer than 1048576 characters"));
    }

    static Stream<Arguments> byteCorpus() {
        return Stream.of(
                Arguments.of("overlong slash", new byte[] {(byte) 0xC0, (byte) 0xAF}),
                Arguments.of("overlong NUL", new byte[] {(byte) 0xC0, (byte) 0x80}),
                Arguments.of("overlong three-byte", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}),
                Arguments.of("overlong four-byte", new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF}),
                Arguments.of("lone continuation byte", new byte[] {(byte) 0x80}),
                Arguments.of("truncated two-byte", new byte[] {(byte) 0xC3}),
                Arguments.of("truncated three-byte", new byte[] {(byte) 0xE2, (byte) 0x82}),
                Arguments.of("truncated four-byte", new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}),
                Arguments.of("high surrogate encoded", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of("low surrogate encoded", new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}),
                Arguments.of("beyond U+10FFFF", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("byte FF", new byte[] {(byte) 0xFF}),
                Arguments.of("byte F5", new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("textCorpus")
    void badTextFrameIsAnsweredWithItsCodeAndAPreciseMessage(String label, String frame, ErrorCode code,
            String fragment, String ref) {
        ProtocolException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> decodeFails(frame));
        assertThat(e.code()).as(label).isEqualTo(code);
        assertThat(e.getMessage()).as(label).contains(fragment).hasSizeLessThan(300);
        assertThat(e.ref()).as(label).isEqualTo(ref);
        ProtocolException viaBytes = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> decodeFails(frame.getBytes(UTF_8)));
        assertThat(viaBytes.code()).as(label).isEqualTo(code);
        assertThat(viaBytes.getMessage()).as(label).contains(fragment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("byteCorpus")
    void invalidUtf8IsRefusedWherever(String label, byte[] badBytes) {
        byte[] head = "{\"type\":\"ping\",\"ref\":\"a".getBytes(UTF_8);
        byte[] tail = "b\"}".getBytes(UTF_8);
        byte[] frame = concat(head, badBytes, tail);
        ProtocolException e = decodeFails(frame);
        assertThat(e.code()).isEqualTo(BAD);
        assertThat(e.getMessage()).isEqualTo("message is not valid UTF-8");
        assertThat(e.ref()).isNull();
        assertThat(decodeFails(badBytes).getMessage()).isEqualTo("message is not valid UTF-8");
        assertThat(decodeFails(concat(head, tail, badBytes)).getMessage()).isEqualTo("message is not valid UTF-8");
    }

    @Test
    void tenMegabyteStringInAnIgnoredFieldIsSkippedNotBuffered() throws Exception {
        String frame = "{\"type\":\"ping\",\"ref\":\"big\",\"padding\":\"" + "x".repeat(10 << 20) + "\"}";
        assertThat(codec.decode(frame)).isEqualTo(new Request.Ping("big"));
    }

    @Test
    void loneSurrogateInAStringIsAcceptedAndEncodesBackToValidUtf8() throws Exception {
        for (String frame : List.of(
                "{\"type\":\"publish\",\"topic\":\"t\",\"data\":{\"s\":\"\\ud800x\\udc00\"},\"ref\":\"\\udbff\"}",
                "{\"type\":\"publish\",\"topic\":\"t\",\"data\":{\"s\":\"\ud800x\udc00\"},\"ref\":\"\udbff\"}")) {
            Request.Publish p = (Request.Publish) codec.decode(frame);
            assertThat(Utf8.isValid(p.data())).isTrue();
            JsonNode data = JsonCodec.readTree(p.data());
            assertThat(data.get("s").textValue()).isEqualTo("\ud800x\udc00");
            byte[] reply = codec.encode(new ServerMessage.Reply(p.ref(), data));
            assertThat(Utf8.isValid(reply)).isTrue();
            assertThat(JsonCodec.readTree(reply).get("ref").textValue()).isEqualTo("\udbff");
        }
    }

    @Test
    void decodingNeverThrowsAnythingButProtocolException() {
        Random random = new Random(20_251_122L);
        List<byte[]> seeds = new ArrayList<>();
        textCorpus().forEach(a -> {
            String frame = (String) a.get()[1];
            if (frame.length() < 1000) {
                seeds.add(frame.getBytes(UTF_8));
            }
        });
        List<byte[]> valid = validFrames();
        seeds.addAll(valid);
        for (byte[] frame : valid) {
            assertThatCode(() -> codec.decode(frame)).doesNotThrowAnyException();
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = mutate(seeds.get(random.nextInt(seeds.size())), random);
            survives(frame, () -> codec.decode(frame));
            String latin1 = new String(frame, ISO_8859_1);
            survives(frame, () -> codec.decode(latin1));
        }
    }

    // ---- support ---------------------------------------------------------------------------------

    private interface Decode {
        Request run() throws ProtocolException;
    }

    private void survives(byte[] frame, Decode decode) {
        try {
            assertThat(decode.run()).isNotNull();
        } catch (ProtocolException e) {
            assertThat(e.code()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            // The decoder's last-resort mapping of an unexpected exception names its class: never expected.
            assertThat(e.getMessage()).as(Arrays.toString(frame)).doesNotContain("Exception");
            if (e.ref() != null) {
                assertThat(e.ref().length()).isLessThanOrEqualTo(JsonCodec.MAX_REF_LENGTH);
            }
            byte[] answer = codec.encode(new ServerMessage.Error(e.ref(), e.code(), e.getMessage(), 0));
            assertThat(Utf8.isValid(answer)).isTrue();
        } catch (Throwable t) {
            fail("decoding " + Arrays.toString(frame) + " threw " + t, t);
        }
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            switch (random.nextInt(6)) {
                case 0 -> { // flip a byte to anything
                    if (at < b.length) {
                        b[at] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> { // insert JSON punctuation
                    String punct = "{}[]\":,\\ 0-.eE\u00e9tfn";
                    b = concat(Arrays.copyOf(b, at), new byte[] {(byte) punct.charAt(random.nextInt(punct.length()))},
                            Arrays.copyOfRange(b, at, b.length));
                }
                case 2 -> { // delete a range
                    int end = Math.min(b.length, at + 1 + random.nextInt(8));
                    b = concat(Arrays.copyOf(b, Math.min(at, b.length)), Arrays.copyOfRange(b, end, b.length));
                }
                case 3 -> { // duplicate a slice
                    int end = Math.min(b.length, at + 1 + random.nextInt(16));
                    byte[] slice = Arrays.copyOfRange(b, Math.min(at, b.length), end);
                    b = concat(Arrays.copyOf(b, end), slice, Arrays.copyOfRange(b, end, b.length));
                }
                case 4 -> b = Arrays.copyOf(b, Math.min(at, b.length)); // truncate
                default -> { // wrap in nesting
                    int depth = 1 + random.nextInt(40);
                    b = concat("[".repeat(depth).getBytes(UTF_8), b, "]".repeat(depth).getBytes(UTF_8));
                }
            }
        }
        return b;
    }

    private static List<byte[]> validFrames() {
        return Stream.of(
                "{\"type\":\"auth\",\"ref\":\"1\",\"token\":\"abc\"}",
                "{\"type\":\"subscribe\",\"ref\":\"2\",\"topics\":[\"a.*\",\"b.**\"],\"filter\":{\"p\":[\"high\",1],"
                        + "\"s\":{\"gte\":80.5}},\"since\":\"0-1\"}",
                "{\"type\":\"unsubscribe\",\"ref\":\"3\",\"topics\":[\"a.*\"]}",
                "{\"type\":\"join\",\"ref\":\"4\",\"room\":\"chat:1\",\"meta\":{\"name\":\"Ada \u00e9\ud83d\ude00\"}}",
                "{\"type\":\"leave\",\"ref\":\"5\",\"room\":\"chat:1\"}",
                "{\"type\":\"publish\",\"ref\":\"6\",\"topic\":\"t.x\",\"room\":\"r\",\"data\":{\"a\":[1,2.5e3,null,true],"
                        + "\"b\":{\"c\":\"d\\n\\u0041\"}},\"echo\":false}",
                "{\"type\":\"send\",\"ref\":\"7\",\"route\":\"orders.get\",\"data\":{\"id\":-12}}",
                "{\"type\":\"ping\",\"ref\":\"8\"}")
                .map(s -> s.getBytes(UTF_8)).toList();
    }

    private ProtocolException decodeFails(String text) {
        try {
            Request r = codec.decode(text);
            throw new AssertionError("decoded " + r);
        } catch (ProtocolException e) {
            return e;
        }
    }

    private ProtocolException decodeFails(byte[] bytes) {
        try {
            Request r = codec.decode(bytes);
            throw new AssertionError("decoded " + r);
        } catch (ProtocolException e) {
            return e;
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static Arguments bad(String label, String frame, String fragment) {
        return row(label, frame, BAD, fragment, null);
    }

    private static Arguments bad(String label, String frame, String fragment, String ref) {
        return row(label, frame, BAD, fragment, ref);
    }

    private static Arguments row(String label, String frame, ErrorCode code, String fragment, String ref) {
        return Arguments.of(label, frame, code, fragment, ref);
    }
}
