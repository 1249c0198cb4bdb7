package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessagePartsTest {
    @Test
    void aTextInOnePartIsPassedOnAsItIs() {
        MessageParts parts = new MessageParts(100);
        String text = "{\"type\":\"ping\"}";
        assertThat(parts.text(text, true)).isSameAs(text);
    }

    @Test
    void aTextInPartsComesOutWholeAtItsLastPartWhateverItsCharacters() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            String text = FrameSizeTest.randomText(random, 1 + random.nextInt(300));
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            int limit = bytes + random.nextInt(3) - 1;
            MessageParts parts = new MessageParts(limit);
            List<Object> answers = new ArrayList<>();
            for (String part : split(text, 1 + random.nextInt(40))) {
                answers.add(parts.text(part, false));
            }
            answers.add(parts.text("", true));
            if (bytes <= limit) {
                assertThat(answers.subList(0, answers.size() - 1)).containsOnlyNulls();
                assertThat(answers.get(answers.size() - 1)).isEqualTo(text);
            } else {
                assertThat(answers).as("refused once, at the part that passed the limit")
                        .containsOnlyOnce(MessageParts.TOO_LARGE);
                assertThat(answers.get(answers.size() - 1)).isNotEqualTo(text);
            }
        }
    }

    @Test
    void afterARefusedTextItsLaterPartsAreDroppedAndTheNextMessageIsTaken() {
        MessageParts parts = new MessageParts(10);
        assertThat(parts.text("0123456", false)).isNull();
        assertThat(parts.text("789ab", false)).isSameAs(MessageParts.TOO_LARGE);
        assertThat(parts.text("cdefgh", false)).isNull();
        assertThat(parts.text("ij", true)).isNull();
        assertThat(parts.text("01234", false)).isNull();
        assertThat(parts.text("56789", true)).isEqualTo("0123456789");
        assertThat(parts.text("0123456789a", true)).isSameAs(MessageParts.TOO_LARGE);
        assertThat(parts.text("ok", true)).isEqualTo("ok");
    }

    @Test
    void aBinaryMessageInPartsComesOutWholeAndOneAboveTheLimitIsRefusedAtOnce() {
        Random random = new Random(3);
        byte[] message = new byte[5_000];
        random.nextBytes(message);
        MessageParts parts = new MessageParts(5_000);
        for (int from = 0; from < message.length; from += 700) {
            byte[] part = Arrays.copyOfRange(message, from, Math.min(message.length, from + 700));
            Object answer = parts.binary(part, from + 700 >= message.length);
            if (from + 700 < message.length) {
                assertThat(answer).isNull();
            } else {
                assertThat((byte[]) answer).isEqualTo(message);
            }
        }
        byte[] one = {1, 2, 3};
        assertThat(parts.binary(one, true)).isSameAs(one);

        assertThat(parts.binary(new byte[4_000], false)).isNull();
        assertThat(parts.binary(new byte[1_001], false)).isSameAs(MessageParts.TOO_LARGE);
        assertThat(parts.binary(new byte[10], true)).isNull();
        assertThat(parts.binary(new byte[5_001], true)).isSameAs(MessageParts.TOO_LARGE);
        assertThat((byte[]) parts.binary(new byte[5_000], true)).hasSize(5_000);
    }

    private static List<String> split(String text, int chars) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int end = Math.min(text.length(), i + chars);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }
}
