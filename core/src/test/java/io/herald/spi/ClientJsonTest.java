package io.herald.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientJsonTest {
    @Test
    void keepsDecimalsAsWrittenLikeTheProtocolCodec() throws Exception {
        JsonNode n = ClientJson.read("{\"price\":1.50,\"big\":0.1000000000000000055511151231257827}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(n.get("price").decimalValue()).isEqualTo(new BigDecimal("1.50"));
        assertThat(n.get("price").toString()).isEqualTo("1.50");
        assertThat(n.get("big").decimalValue()).isEqualTo(new BigDecimal("0.1000000000000000055511151231257827"));
    }

    @Test
    void refusesDuplicateKeys() {
        assertThatThrownBy(() -> ClientJson.read("{\"a\":1,\"a\":2}"))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void refusesNestingDeeperThanARequestMay() {
        String deep = "[".repeat(40) + "]".repeat(40);
        assertThatThrownBy(() -> ClientJson.read(deep))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void refusesContentAfterTheValue() {
        for (String json : List.of("{\"p\":\"x\"}}}garbage", "{\"a\":1}{\"x\":1}", "[1] 2", "{} x")) {
            assertThatThrownBy(() -> ClientJson.read(json)).as(json)
                    .isInstanceOf(JsonProcessingException.class)
                    .hasMessageContaining("content after the JSON value");
            assertThatThrownBy(() -> ClientJson.read(json.getBytes(StandardCharsets.UTF_8))).as(json)
                    .isInstanceOf(JsonProcessingException.class)
                    .hasMessageContaining("content after the JSON value");
        }
    }

    @Test
    void refusesBytesThatAreNotUtf8AsThePublishBodyDecoderDoes() {
        byte[] utf16 = "{\"connectionId\":\"c\"}".getBytes(StandardCharsets.UTF_16LE);
        assertThatThrownBy(() -> ClientJson.read(utf16)).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("NUL character at byte 1");
    }

    @Test
    void readsOneValueWithWhitespaceAroundItAndNothingAsMissing() throws Exception {
        assertThat(ClientJson.read(" {\"a\":1}\n ").path("a").asInt()).isEqualTo(1);
        assertThat(ClientJson.read("null").isNull()).isTrue();
        assertThat(ClientJson.read("  ").isMissingNode()).isTrue();
        assertThat(ClientJson.read(new byte[0]).isMissingNode()).isTrue();
    }
}
