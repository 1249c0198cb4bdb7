package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frame measuring and cookie parsing, the two pieces of the adapter that compute something. */
class FrameSizeTest {
    /** @return {@code n} pieces, each a character of one, two or three UTF-8 bytes or a four-byte surrogate pair */
    static String randomText(Random random, int n) {
        String[] pieces = {"a", "é", "€", "😀"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(pieces[random.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    @Test
    void aMessageExceedsTheLimitExactlyWhenItsUtf8EncodingIsLonger() {
        Random random = new Random(11);
        for (int round = 0; round < 2_000; round++) {
            String text = randomText(random, random.nextInt(40));
            int limit = random.nextInt(120);
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            assertThat(FrameSize.exceeds(text, limit)).as("%s within %d", text, limit).isEqualTo(bytes > limit);
        }
    }

    @Test
    void cookiesAreReadFromTheHeaderWithTheFirstValueWinning() {
        Map<String, String> cookies = new LinkedHashMap<>();
        Handshakes.parseCookies("theme=dark; token=\"abc\"; broken; =x; token=later", cookies);
        Handshakes.parseCookies(null, cookies);
        assertThat(cookies).containsExactly(Map.entry("theme", "dark"), Map.entry("token", "abc"));
    }
}
