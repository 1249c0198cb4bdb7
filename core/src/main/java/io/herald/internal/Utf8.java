package io.herald.internal;

/**
 * Strict UTF-8 validation as RFC 3629 defines it: no overlong forms, no encoded surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no lone continuation bytes, no truncated sequences.
 *
 * <p>Stateless and thread-safe; allocates nothing.
 */
final class Utf8 {
    private Utf8() {
    }

    /**
     * @param bytes the bytes to check
     * @return whether all of {@code bytes} is well-formed UTF-8
     */
    static boolean isValid(byte[] bytes) {
        return firstInvalid(bytes) < 0;
    }

    /**
     * @param bytes the bytes to check
     * @return the offset of the first byte of the first ill-formed sequence, or -1 when all are well-formed
     */
    static int firstInvalid(byte[] bytes) {
        int n = bytes.length;
        int i = 0;
        while (i < n) {
            int b0 = bytes[i];
            if (b0 >= 0) {
                i++;
                continue;
            }
            b0 &= 0xFF;
            if (b0 < 0xC2) {
                return i; // a continuation byte without a lead, or an overlong two-byte lead (C0, C1)
            }
            if (b0 < 0xE0) {
                if (i + 1 >= n || !continuation(bytes[i + 1])) {
                    return i;
                }
                i += 2;
            } else if (b0 < 0xF0) {
                if (i + 2 >= n) {
                    return i;
                }
                int b1 = bytes[i + 1] & 0xFF;
                if (!continuation(bytes[i + 1]) || !continuation(bytes[i + 2])
                        || (b0 == 0xE0 && b1 < 0xA0) // overlong
                        || (b0 == 0xED && b1 >= 0xA0)) { // a surrogate code point
                    return i;
                }
                i += 3;
            } else if (b0 < 0xF5) {
                if (i + 3 >= n) {
                    return i;
                }
                int b1 = bytes[i + 1] & 0xFF;
                if (!continuation(bytes[i + 1]) || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])
                        || (b0 == 0xF0 && b1 < 0x90) // overlong
                        || (b0 == 0xF4 && b1 >= 0x90)) { // above U+10FFFF
                    return i;
                }
                i += 4;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
