package io.herald.internal;

import static io.herald.ErrorCode.BAD_REQUEST;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The helpers the hub uses to turn application data into stored JSON bytes and back. */
class JsonCodecDataTest {
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private final JsonCodec codec = new JsonCodec();

    @Test
    void writeValueSerializesApplicationData() {
        byte[] json = JsonCodec.writeValue(PLAIN, Map.of("n", 1));
        assertThat(new String(json, UTF_8)).isEqualTo("{\"n\":1}");
        assertThat(new String(JsonCodec.writeValue(PLAIN, null), UTF_8)).isEqualTo("null");
    }

    @Test
    void writeValueRefusesDataThatCannotBeSerialized() {
        assertThatThrownBy(() -> JsonCodec.writeValue(PLAIN, new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object cannot be serialized as JSON");
    }

    @Test
    void writeValueRefusesInvalidUtf8FromACustomSerializer() {
        ObjectMapper rogue = new ObjectMapper().registerModule(new SimpleModule().addSerializer(new RawBytes()));
        assertThatThrownBy(() -> JsonCodec.writeValue(rogue, new Rogue()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid UTF-8 at byte 1");
    }

    @Test
    void writeTreeIsCompactAndKeepsDecimalsAsWritten() throws Exception {
        JsonNode tree = JsonCodec.readClientJson("{ \"a\": 1.10, \"b\": 1e400, \"c\": 12345678901234567890123 }");
        assertThat(new String(JsonCodec.writeTree(tree), UTF_8))
                .isEqualTo("{\"a\":1.10,\"b\":1E+400,\"c\":12345678901234567890123}");
    }

    @Test
    void publishedDataIsRelayedAsWrittenWithoutItsWhitespace() throws Exception {
        String data = "{ \"a\" : 1.10 ,\n\t\"b\": [ 1e400 , -0, 12345678901234567890123 ],\r\n"
                + " \"s\": \" x \\\" y \\\\\" ,"
                + " \"u\": \"\\u0041\u00e9\ud83d\ude00 \" }";
        String compact = "{\"a\":1.10,\"b\":[1e400,-0,12345678901234567890123],\"s\":\" x \\\" y \\\\\","
                + "\"u\":\"\\u0041\u00e9\ud83d\ude00 \"}";
        for (String around : List.of("{\"type\":\"publish\",\"topic\":\"t\",\"data\":%s}",
                "{ \"data\" :  %s  , \"type\":\"publish\", \"topic\":\"t\" }")) {
            String frame = around.formatted(data);
            assertThat(publishedData(codec.decode(frame))).isEqualTo(compact);
            assertThat(publishedData(codec.decodeText(frame.getBytes(UTF_8)))).isEqualTo(compact);
            assertThat(publishedData(codec.decode(frame.getBytes(UTF_8)))).isEqualTo(compact);
        }
    }

    @Test
    void everyKindOfValueIsCopiedWhole() throws Exception {
        for (String value : List.of("\"a b\"", "\"\"", "\"\\\"\"", "\"\\\\\"", "0", "-1.5e-3", "true", "false", "null",
                "[]", "{}", "[[],{\"\":[null]}]", "[\"\\\" x\",\"\\\\\",\" \"]")) {
            for (String frame : List.of("{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + value + "}",
                    "{\"data\":" + value + ",\"type\":\"publish\",\"topic\":\"t\"}",
                    "{\"data\": " + value + " ,\"type\":\"publish\",\"topic\":\"t\"}")) {
                assertThat(publishedData(codec.decode(frame))).as(frame).isEqualTo(value);
                assertThat(publishedData(codec.decodeText(frame.getBytes(UTF_8)))).as(frame).isEqualTo(value);
            }
        }
    }

    @Test
    void dataFarIntoALongMessageIsCopiedFromTheRightOffsets() throws Exception {
        // beyond 32,768 characters Jackson reads a String through a Reader, one buffer at a time
        String padding = "x".repeat(100_000);
        String frame = "{\"pad\":\"" + padding + "\",\"type\":\"publish\",\"topic\":\"t\","
                + "\"data\": [ \"" + padding + "\" , { \"k\" : 1 } ] }";
        String compact = "[\"" + padding + "\",{\"k\":1}]";
        assertThat(publishedData(codec.decode(frame))).isEqualTo(compact);
        assertThat(publishedData(codec.decodeText(frame.getBytes(UTF_8)))).isEqualTo(compact);
    }

    @Test
    void dataAfterAByteOrderMarkIsCopiedFromTheRightOffset() throws Exception {
        byte[] frame = "\ufeff{\"type\":\"publish\",\"topic\":\"t\",\"data\":{\"k\": [1, 2]}}".getBytes(UTF_8);
        assertThat(publishedData(codec.decodeText(frame))).isEqualTo("{\"k\":[1,2]}");
    }

    @Test
    void bytesThatAreJsonOnlyInUtf16OrUtf32AreRefused() {
        for (Charset wide : List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, Charset.forName("UTF-32BE"),
                Charset.forName("UTF-32LE"))) {
            byte[] bytes = "{\"type\":\"ping\",\"ref\":\"p\"}".getBytes(wide);
            assertThat(Utf8.isValid(bytes)).as("NUL bytes are well-formed UTF-8").isTrue();
            assertThatThrownBy(() -> codec.decodeText(bytes)).as(wide.name())
                    .isInstanceOf(ProtocolException.class).hasMessageStartingWith("message is not valid JSON");
            assertThatThrownBy(() -> codec.decode(bytes)).as(wide.name())
                    .isInstanceOf(ProtocolException.class).hasMessageStartingWith("message is not valid JSON");
        }
    }

    @Test
    void dataWithALoneSurrogateInAStringBecomesAnEscape() throws Exception {
        Request r = codec.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":[ \"\ud800x\" ]}");
        assertThat(publishedData(r)).isEqualTo("[\"\\uD800x\"]");
    }

    @Test
    void invalidDataIsRefusedEvenThoughItIsNotRead() {
        for (String data : List.of("{\"a\":1,\"a\":2}", "[1,]", "\"\u0001\"", "\"\\q\"", "01",
                "[" + "1".repeat(1001) + "]")) {
            String frame = "{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + data + "}";
            assertThatThrownBy(() -> codec.decodeText(frame.getBytes(UTF_8))).as(data)
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(BAD_REQUEST));
            assertThatThrownBy(() -> codec.decode(frame)).as(data)
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(BAD_REQUEST));
        }
    }

    private static String publishedData(Request r) {
        return new String(((Request.Publish) r).data(), UTF_8);
    }

    @Test
    void readTreeParsesStoredDataAndRefusesGarbage() {
        assertThat(JsonCodec.readTree("{\"a\":0.1}".getBytes(UTF_8)).get("a").decimalValue())
                .isEqualTo(new BigDecimal("0.1"));
        assertThat(JsonCodec.readTree("null".getBytes(UTF_8)).isNull()).isTrue();
        assertThatThrownBy(() -> JsonCodec.readTree("{\"a\":".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not valid JSON");
        assertThatThrownBy(() -> JsonCodec.readTree("1 2".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content after");
        assertThatThrownBy(() -> JsonCodec.readTree(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static final class Rogue {
    }

    /** Writes a raw overlong NUL, as a careless custom serializer might. */
    private static final class RawBytes extends StdSerializer<Rogue> {
        private static final long serialVersionUID = 1L;

        RawBytes() {
            super(Rogue.class);
        }

        @Override
        public void serialize(Rogue value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeRawValue(new RawJson(new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'}));
        }
    }
}
