package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frame measuring and cookie parsing, the two pieces of the adapter that compute something. */
class FrameSizeTest {
    @Test
    void aMessageExceedsTheLimitExactlyWhenItsUtf8EncodingIsLonger() {
        Random random = new Random(11);
        String[] pieces = {"a", "é", "€", "😀"};
        for (int round = 0; round < 2_000; round++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = b.toString();
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
