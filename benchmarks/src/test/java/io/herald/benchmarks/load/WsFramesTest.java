package io.herald.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The load client's searches, which read eight bytes at a time, find what a plain search finds. */
class WsFramesTest {
    private static final byte[][] KEYS = {
        "\"seq\":".getBytes(StandardCharsets.US_ASCII),
        "\"t\":".getBytes(StandardCharsets.US_ASCII),
        "\"type\":\"subscribed\"".getBytes(StandardCharsets.US_ASCII),
        "::".getBytes(StandardCharsets.US_ASCII),
    };

    /** Random text over a small alphabet, so that keys and near misses occur often. */
    private static byte[] text(Random random, int n) {
        byte[] alphabet = "\"seq:t,ypubcrid{} 0\n".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return b;
    }

    private static int plainIndexAfter(byte[] key, byte[] buf, int from, int to) {
        String s = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(new String(key, StandardCharsets.ISO_8859_1));
        return at < 0 ? -1 : from + at + key.length;
    }

    @Test
    void indexAfterFindsTheFirstWholeKeyInsideTheRangeOnly() {
        Random random = new Random(20);
        for (int n = 0; n < 20_000; n++) {
            byte[] buf = text(random, random.nextInt(80));
            int from = buf.length == 0 ? 0 : random.nextInt(buf.length + 1);
            int to = from + random.nextInt(buf.length - from + 1);
            for (byte[] key : KEYS) {
                assertThat(WsFrames.indexAfter(key, buf, from, to))
                        .as("%s in [%d, %d) of %s", new String(key), from, to, new String(buf))
                        .isEqualTo(plainIndexAfter(key, buf, from, to));
            }
        }
        assertThat(WsFrames.indexAfter(KEYS[0], new byte[] {1}, -1, 1)).isEqualTo(-1);
    }

    @Test
    void indexOfFindsTheFirstByteAtEveryOffsetOfAWord() {
        for (int len = 0; len <= 24; len++) {
            for (int at = 0; at < len; at++) {
                byte[] buf = new byte[len];
                java.util.Arrays.fill(buf, (byte) 0x0B);
                buf[at] = '\n';
                if (at + 1 < len) {
                    buf[at + 1] = '\n';
                }
                assertThat(WsFrames.indexOf((byte) '\n', buf, 0, len)).isEqualTo(at);
                assertThat(WsFrames.indexOf((byte) '\n', buf, at + 1, len)).isEqualTo(at + 1 < len ? at + 1 : -1);
            }
            // bytes just above and below the one looked for, and 0x80 or more, are not it
            byte[] near = new byte[len];
            for (int i = 0; i < len; i++) {
                near[i] = (byte) (i % 3 == 0 ? '\n' + 1 : i % 3 == 1 ? '\n' - 1 : 0x8A);
            }
            assertThat(WsFrames.indexOf((byte) '\n', near, 0, len)).isEqualTo(-1);
        }
    }
}
