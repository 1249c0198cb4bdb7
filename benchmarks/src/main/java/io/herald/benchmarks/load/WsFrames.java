package io.herald.benchmarks.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Minimal RFC 6455 framing for a load client: masked client frames out, unmasked server frames in. */
final class WsFrames {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private WsFrames() {
    }

    /** @return a masked client frame with the given opcode and payload */
    static ByteBuffer clientFrame(int opcode, byte[] payload) {
        int len = payload.length;
        int header = len < 126 ? 2 : len < 65_536 ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocate(header + 4 + len);
        b.put((byte) (0x80 | opcode));
        if (len < 126) {
            b.put((byte) (0x80 | len));
        } else if (len < 65_536) {
            b.put((byte) (0x80 | 126));
            b.putShort((short) len);
        } else {
            b.put((byte) (0x80 | 127));
            b.putLong(len);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < len; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return b.flip();
    }

    static ByteBuffer text(String s) {
        return clientFrame(TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Finds {@code "key":<digits>} in {@code buf[from, to)} and parses the number.
     *
     * @return the number, or -1 when absent
     */
    static long numberAfter(byte[] key, byte[] buf, int from, int to) {
        outer:
        for (int i = from; i <= to - key.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (buf[i + k] != key[k]) {
                    continue outer;
                }
            }
            long v = 0;
            int j = i + key.length;
            boolean any = false;
            while (j < to) {
                byte c = buf[j];
                if (c < '0' || c > '9') {
                    break;
                }
                v = v * 10 + (c - '0');
                any = true;
                j++;
            }
            return any ? v : -1;
        }
        return -1;
    }
}
