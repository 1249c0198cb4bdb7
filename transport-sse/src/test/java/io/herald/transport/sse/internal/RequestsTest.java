package io.herald.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestsTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aControlBodyWithContentAfterItsObjectIsRefusedNamingIt() {
        for (String body : List.of("{\"topics\":[\"a\"]}{\"x\":1}", "{\"topics\":[\"a\"]}}}garbage",
                "{\"topics\":[\"a\"]} x")) {
            assertThatThrownBy(() -> Requests.object(utf8(body))).as(body)
                    .isInstanceOf(Requests.BadInput.class)
                    .hasMessageStartingWith("body is not valid JSON: content after the JSON value");
        }
    }

    @Test
    void aBrokenControlBodyIsDescribedWithoutTheParsersInternals() {
        assertThatThrownBy(() -> Requests.object(utf8("{\"connectionId\":")))
                .isInstanceOf(Requests.BadInput.class)
                .hasMessageStartingWith("body is not valid JSON: ")
                .hasMessageContaining("line 1")
                .hasMessageNotContaining("Source")
                .hasMessageNotContaining("REDACTED");
        assertThatThrownBy(() -> Requests.object(utf8("[".repeat(40) + "]".repeat(40))))
                .hasMessage("body is not valid JSON: nesting deeper than 32");
    }

    @Test
    void aControlBodyWithTrailingWhitespaceIsOneObject() throws Exception {
        assertThat(Requests.object(utf8("{\"topics\":[\"a\"]}\r\n ")).path("topics").get(0).asText()).isEqualTo("a");
    }
}
