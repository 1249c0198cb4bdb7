package io.herald.spi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a codec or a connection handle that predates text messages as bytes does with them: the defaults
 * decode the bytes strictly and go through the {@code String} methods.
 */
class TextBytesDefaultsTest {
    @Test
    void aHandleWithoutItsOwnByteMethodReceivesTheDecodedText() {
        Recording h = new Recording();
        assertThat(h.onText("{\"s\":\"h\u00e9llo \ud83d\ude00\"}".getBytes(UTF_8))).isTrue();
        assertThat(h.texts).containsExactly("{\"s\":\"h\u00e9llo \ud83d\ude00\"}");
    }

    @Test
    void aHandleRefusesBytesThatAreNotUtf8AndHandlesNothing() {
        Recording h = new Recording();
        assertThat(h.onText(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'})).isFalse();
        assertThat(h.onText(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).isFalse(); // an encoded surrogate
        assertThat(h.texts).isEmpty();
    }

    @Test
    void aCodecWithoutItsOwnByteMethodDecodesTheText() throws ProtocolException {
        Codec c = new Codec() {
            @Override
            public Request decode(String text) {
                return new Request.Ping(text);
            }

            @Override
            public Request decode(byte[] bytes) {
                throw new AssertionError("a text message is not a binary one");
            }

            @Override
            public byte[] encode(ServerMessage message) {
                throw new AssertionError();
            }

            @Override
            public byte[] encodeBatch(List<byte[]> frames) {
                throw new AssertionError();
            }
        };
        assertThat(c.decodeText("h\u00e9".getBytes(UTF_8))).isEqualTo(new Request.Ping("h\u00e9"));
    }

    private static final class Recording implements ConnectionHandle {
        final List<String> texts = new ArrayList<>();

        @Override
        public String connectionId() {
            return "c";
        }

        @Override
        public void onText(String message) {
            texts.add(message);
        }

        @Override
        public void onBinary(byte[] message) {
            throw new AssertionError("a text message is not a binary one");
        }

        @Override
        public void onActivity() {
        }

        @Override
        public void onClosed(int code, String reason) {
        }
    }
}
