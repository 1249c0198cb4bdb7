package io.herald.spi;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Judges a request's raw query string the same way on every container. Containers disagree about a query
 * they cannot decode: Jetty 12 and Tomcat 11 refuse it, Tomcat 10.1 drops a parameter with a malformed
 * {@code %}-escape and turns bytes that are not UTF-8 into U+FFFD, Tyrus decodes leniently; Tomcat refuses
 * a parameter with no name ({@code &=x}), Jetty keeps it. A transport refuses a handshake or a stream whose
 * query this calls malformed, or that its container could not parse, so that no client is served with one
 * of its parameters (a token, a filter, {@code batch}) silently lost or changed. Thread-safe.
 */
public final class QueryString {
    /** What a client is told when its query is refused: {@value}. */
    public static final String MALFORMED = "the query string cannot be parsed: a malformed %-escape, bytes that"
            + " are not UTF-8, a parameter with no name, or too many parameters";
    /**
     * The request attribute Tomcat 10.1 sets when it skipped query parameters it could not parse (its
     * {@code Globals.PARAMETER_PARSE_FAILED_ATTR}), too many of them among the reasons; Tomcat 11 and Jetty
     * throw from {@code getParameterMap} instead.
     */
    public static final String TOMCAT_PARSE_FAILED = "org.apache.catalina.parameter_parse_failed";

    private QueryString() {
    }

    /**
     * @param raw the query string as the request carried it, still encoded, without the {@code ?};
     *     {@code null} or empty for none
     * @return whether every {@code %} starts an escape of two hex digits, the bytes that the escapes and the
     *     other characters stand for are UTF-8, and every {@code =} follows a name
     */
    public static boolean wellFormed(String raw) {
        if (raw == null || raw.isEmpty()) {
            return true;
        }
        if (raw.charAt(0) == '=' || raw.contains("&=")) {
            return false;
        }
        if (raw.indexOf('%') < 0) {
            // nothing escaped: every character is one the container already holds
            return true;
        }
        byte[] bytes = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
                int low = high < 0 ? -1 : hex(raw.charAt(i + 2));
                if (low < 0) {
                    return false;
                }
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                // a character the container decoded already is valid as it stands; any byte below 0x80 ends
                // an escaped multi-byte sequence just as it would
                bytes[n++] = c < 0x80 ? (byte) c : (byte) '_';
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** @return the value of an ASCII hex digit, or -1 */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
