package io.herald.spi;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Judges a request's raw query string the same way on every container. Containers disagree about a query
 * they cannot decode: Jetty 12 and Tomcat 11 refuse a malformed {@code %}-escape, Tomcat 10.1 drops the
 * parameter that has one and turns escaped bytes that are not UTF-8 into U+FFFD, Tyrus decodes leniently;
 * Tomcat refuses a parameter with no name ({@code &=x}), Jetty keeps it. Bytes outside ASCII sent as they are,
 * not escaped as RFC 3986 requires, are refused by Tomcat and Undertow, while Jetty serves them, turning those
 * that are not UTF-8 into U+FFFD. A transport refuses a handshake or a stream whose query this calls malformed,
 * or that its container could not parse, so that no client is served with one of its parameters (a token, a
 * filter, {@code batch}) silently lost or changed. Thread-safe.
 */
public final class QueryString {
    /** What a client is told when its query is refused: {@value}. */
    public static final String MALFORMED = "the query string cannot be parsed: a malformed %-escape, bytes that"
            + " are not UTF-8, a character outside ASCII that is not %-escaped, a parameter with no name, or too"
            + " many parameters";
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
     * @return whether every character is ASCII, every {@code %} starts an escape of two hex digits, the bytes
     *     that the escapes stand for are UTF-8, and every {@code =} follows a name
     */
    public static boolean wellFormed(String raw) {
        if (raw == null || raw.isEmpty()) {
            return true;
        }
        if (raw.charAt(0) == '=' || raw.contains("&=")) {
            return false;
        }
        boolean escapes = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 0x80) {
                // sent unescaped: what the client meant depends on how this container decoded its bytes
                return false;
            }
            escapes |= c == '%';
        }
        if (!escapes) {
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
                bytes[n++] = (byte) c;
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
