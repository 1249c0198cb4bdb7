package io.herald.benchmarks.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

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
     * @return the index right after the first {@code key} in {@code buf[from, to)}, or -1 when absent. Looks
     *     for the key's first letter or digit eight bytes at a time (JSON has a quote before every key, so the
     *     quote would be a poor choice), then compares the rest
     */
    static int indexAfter(byte[] key, byte[] buf, int from, int to) {
        if (from < 0) {
            return -1;
        }
        int a = anchor(key);
        byte anchor = key[a];
        // where the anchor byte may be for the whole key to fit in [from, to)
        int end = to - key.length + a + 1;
        outer:
        for (int i = from + a; i < end; ) {
            int j = indexOf(anchor, buf, i, end);
            if (j < 0) {
                return -1;
            }
            int start = j - a;
            i = j + 1;
            for (int k = 0; k < key.length; k++) {
                if (buf[start + k] != key[k]) {
                    continue outer;
                }
            }
            return start + key.length;
        }
        return -1;
    }

    /** @return the index of the key's first letter or digit, or 0 when it has none */
    private static int anchor(byte[] key) {
        for (int k = 0; k < key.length; k++) {
            byte b = key[k];
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
                return k;
            }
        }
        return 0;
    }

    /**
     * @return the index of the first {@code b} in {@code buf[from, to)}, or -1. Reads eight bytes at a time:
     *     {@code (x - ONES) & ~x & HIGHS} marks the bytes of {@code x} that are zero (a byte above a zero one
     *     may be marked too, never one below it, so the lowest mark is exact), and {@code x} is the eight
     *     bytes with {@code b} cleared from each
     */
    static int indexOf(byte b, byte[] buf, int from, int to) {
        long pattern = (b & 0xFFL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(buf, i) ^ pattern;
            long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
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
