package io.herald.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundFrameTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 100_000})
    void theWebSocketFrameIsAFinalUnmaskedTextFrameWithTheShortestLengthFollowedByTheMessage(int length) {
        byte[] message = new byte[length];
        for (int i = 0; i < length; i++) {
            message[i] = (byte) ('a' + i % 26);
        }
        byte[] frame = OutboundFrame.message(message, false).webSocketFrame();

        ByteBuffer b = ByteBuffer.wrap(frame);
        assertThat(b.get()).as("FIN and the text opcode").isEqualTo((byte) 0x81);
        int second = b.get() & 0xFF;
        assertThat(second & 0x80).as("a server's frame is not masked").isZero();
        long declared;
        if (length < 126) {
            declared = second;
        } else if (length <= 0xFFFF) {
            assertThat(second).isEqualTo(126);
            declared = b.getShort() & 0xFFFF;
        } else {
            assertThat(second).isEqualTo(127);
            declared = b.getLong();
        }
        assertThat(declared).isEqualTo(length);
        assertThat(b.remaining()).isEqualTo(length);
        assertThat(Arrays.copyOfRange(frame, b.position(), frame.length)).isEqualTo(message);
    }

    @Test
    void theWebSocketFrameIsMadeOnceAndSharedByEveryCaller() {
        OutboundFrame f = OutboundFrame.message("{\"type\":\"event\"}".getBytes(), true);

        assertThat(f.webSocketFrame()).isSameAs(f.webSocketFrame());
    }

    @Test
    void aKeepAliveHasNoWebSocketTextFrame() {
        assertThatThrownBy(OutboundFrame.PING::webSocketFrame)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("keep-alive");
    }
}
