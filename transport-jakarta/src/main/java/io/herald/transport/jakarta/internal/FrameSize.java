package io.herald.transport.jakarta.internal;

/**
 * Measures a text message in UTF-8 bytes without encoding it, and only when its length leaves doubt. A
 * lone surrogate, which valid WebSocket text never decodes to, counts as three bytes.
 */
final class FrameSize {
    private FrameSize() {
    }

    /**
     * @param text a message
     * @param maxBytes the limit in UTF-8 bytes
     * @return whether the message's UTF-8 encoding is longer than the limit
     */
    static boolean exceeds(String text, int maxBytes) {
        int chars = text.length();
        if (chars > maxBytes) {
            return true;
        }
        if ((long) chars * 3 <= maxBytes) {
            return false;
        }
        return utf8Length(text, maxBytes) > maxBytes;
    }

    /**
     * @param text a message
     * @param stopAbove a length beyond which counting may stop
     * @return the message's length in UTF-8 bytes, or some length above {@code stopAbove}
     */
    static long utf8Length(String text, long stopAbove) {
        int chars = text.length();
        long bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
            if (bytes > stopAbove) {
                return bytes;
            }
        }
        return bytes;
    }
}
