package io.herald.benchmarks.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Minimal RFC 6455 framing for a load client: masked client frames out, unmasked server frames in. */
final class WsFrames {
    static final int CONTINUATION = 0x0;
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

    /** @return the index right after the first {@code key} in {@code buf[from, to)}, or -1 when absent */
    static int indexAfter(byte[] key, byte[] buf, int from, int to) {
        if (from < 0) {
            return -1;
        }
        byte first = key[0];
        outer:
        for (int i = from, last = to - key.length; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int k = 1; k < key.length; k++) {
                if (buf[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** @return the decimal number at {@code buf[at, to)}, or -1 when {@code at} is -1 or no digit is there */
    static long digits(byte[] buf, int at, int to) {
        if (at < 0) {
            return -1;
        }
        long v = 0;
        int j = at;
        while (j < to) {
            byte c = buf[j];
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
            j++;
        }
        return j > at ? v : -1;
    }
}
