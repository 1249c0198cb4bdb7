package io.herald.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Copies one JSON value out of a request as it was written, without the whitespace outside its strings,
 * so that a client's data can be relayed without being parsed into a tree and written again. The input
 * must be a value the parser has already accepted: then dropping space, tab, CR and LF outside strings
 * (the only places JSON allows them) leaves the same value, and the copy never holds a raw line break, so
 * an SSE event carries it on one {@code data:} line.
 *
 * <p>Stateless and thread-safe.
 */
final class CompactJson {
    private CompactJson() {
    }

    /**
     * @param utf8 a request's bytes
     * @param from where the value starts
     * @param to where it ends, exclusive
     * @return the value without whitespace outside strings, in a new array
     */
    static byte[] copy(byte[] utf8, int from, int to) {
        byte[] out = null;
        int n = 0;
        int copied = from;
        boolean inString = false;
        for (int i = from; i < to; i++) {
            byte b = utf8[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (isSpace(b)) {
                if (out == null) {
                    out = new byte[to - from];
                }
                System.arraycopy(utf8, copied, out, n, i - copied);
                n += i - copied;
                copied = i + 1;
            }
        }
        if (out == null) {
            return Arrays.copyOfRange(utf8, from, to);
        }
        System.arraycopy(utf8, copied, out, n, to - copied);
        return Arrays.copyOf(out, n + to - copied);
    }

    /**
     * @param text a request's text
     * @param from where the value starts
     * @param to where it ends, exclusive
     * @return the value without whitespace outside strings, as UTF-8; {@code null} when one of its strings
     *     holds a lone surrogate, which has no UTF-8 form (the caller then writes the value through the
     *     generator, which escapes it)
     */
    static byte[] copy(String text, int from, int to) {
        StringBuilder out = null;
        int copied = from;
        boolean inString = false;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                } else if (Character.isSurrogate(c)) {
                    boolean paired = Character.isHighSurrogate(c) && i + 1 < to
                            && Character.isLowSurrogate(text.charAt(i + 1));
                    if (!paired) {
                        return null;
                    }
                    i++;
                }
            } else if (c == '"') {
                inString = true;
            } else if (isSpace(c)) {
                if (out == null) {
                    out = new StringBuilder(to - from);
                }
                out.append(text, copied, i);
                copied = i + 1;
            }
        }
        String compact = out == null ? text.substring(from, to) : out.append(text, copied, to).toString();
        return compact.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
