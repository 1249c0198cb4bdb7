package io.herald.transport.jakarta.internal;

import java.nio.charset.StandardCharsets;

/**
 * The reason text of a close frame, cut to what RFC 6455 allows. Uses no WebSocket API, so that
 * {@code HeraldServletWebSocket}, which runs where only the servlet API is, can close connections.
 */
final class CloseReasons {
    /** A close frame's payload is at most 125 bytes: two for the code, the rest for the reason. */
    static final int MAX_REASON_BYTES = 123;

    private CloseReasons() {
    }

    /**
     * @param reason a reason, or {@code null}
     * @return the reason, cut at a character boundary to at most {@value #MAX_REASON_BYTES} bytes of UTF-8
     */
    static String fit(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_REASON_BYTES) {
            return reason;
        }
        int end = MAX_REASON_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
