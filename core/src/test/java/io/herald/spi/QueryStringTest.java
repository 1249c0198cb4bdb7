package io.herald.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryStringTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "topics=a.b,c&batch=20",
        "a=%20&b=%2C%2c",                       // hex digits in either case
        "name=%C3%A9t%C3%A9",                   // été
        "x=%E2%82%AC",                          // €, three bytes
        "x=%F0%9F%98%80",                       // an emoji, four bytes
        "x=%EF%BF%BD",                          // U+FFFD itself, sent on purpose, is a character like any other
        "filter=%7B%22type%22%3A%22a%22%7D",
        "a=1&&b=&d",                            // empty pairs, values and a name without '=' are harmless
        "a==b",                                 // a value may hold '='
        "a=%3Db&%3D=1",                         // and a name may hold an escaped one
    })
    void aQueryWhoseEscapesDecodeToUtf8IsWellFormed(String raw) {
        assertThat(QueryString.wellFormed(raw)).as(raw).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "x=%",                                  // an escape cut off at the end
        "x=%4",
        "x=%4&y=1",
        "x=%ZZ",                                // not hex
        "%ZZ=1",                                // in a name too
        "x=%１２",                               // fullwidth digits are digits to Character.digit, not to a URL
        "x=%C3%28",                             // a lead byte followed by no continuation byte
        "x=%C3",                                // a lead byte at the end
        "x=%C3&y=%A9",                          // a sequence split by the separator is two broken halves
        "x=%80",                                // a continuation byte alone
        "x=%C0%AF",                             // an overlong encoding of '/'
        "x=%ED%A0%80",                          // a UTF-16 surrogate encoded as UTF-8
        "x=%F4%90%80%80",                       // above U+10FFFF
        "x=%FF",
        "x=%E2%82é",                            // a sequence cut by a character sent unescaped
        "x=été",                                // characters outside ASCII must be escaped (RFC 3986)
        "x=Jos\uFFFD",                          // what Jetty makes of a byte that is not UTF-8, sent unescaped
        "x=caf\u00C3\u00A9",                    // UTF-8 sent unescaped, decoded as ISO-8859-1
        "topics=a.b&x=\u0080",
        "a=1&=c",                               // a value with no name: Tomcat refuses it, Jetty keeps it
        "=c",
        "a=1&=",
        "=",
    })
    void aQueryWithABrokenEscapeBytesThatAreNotUtf8OrUnescapedNonAsciiIsMalformed(String raw) {
        assertThat(QueryString.wellFormed(raw)).as(raw).isFalse();
    }

    @Test
    void noQueryIsWellFormed() {
        assertThat(QueryString.wellFormed(null)).isTrue();
    }
}
