package io.herald.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SseFramesTest {

    @Test
    void aCursorBlockCarriesOnlyTheId() {
        assertThat(new String(SseFrames.cursor("0-42"), UTF_8)).isEqualTo("id: 0-42\n\n");
        assertThatThrownBy(() -> SseFrames.cursor("a\nb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventCarriesIdAndDataWithoutAnEventLine() {
        assertThat(text(SseFrames.event("0-42", bytes("{\"type\":\"event\"}"))))
                .isEqualTo("id: 0-42\ndata: {\"type\":\"event\"}\n\n");
    }

    @Test
    void anEventThenCursorIsTheEventWithItsOwnIdThenAnIdOnlyBlock() {
        assertThat(text(SseFrames.eventThenCursor("0-7", bytes("{\"type\":\"event\"}"), "0-42")))
                .isEqualTo("id: 0-7\ndata: {\"type\":\"event\"}\n\nid: 0-42\n\n");
        assertThatThrownBy(() -> SseFrames.eventThenCursor("0-7", bytes("1"), "a\rb"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namedEventCarriesItsName() {
        assertThat(text(SseFrames.named("connected", bytes("{\"type\":\"connected\"}"))))
                .isEqualTo("event: connected\ndata: {\"type\":\"connected\"}\n\n");
    }

    @Test
    void retryGivesMilliseconds() {
        assertThat(text(SseFrames.retry(3000))).isEqualTo("retry: 3000\n\n");
        assertThat(text(SseFrames.retry(0))).isEqualTo("retry: 0\n\n");
        assertThatThrownBy(() -> SseFrames.retry(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void commentIsAColonLine() {
        assertThat(text(SseFrames.comment("ping"))).isEqualTo(": ping\n\n");
        assertThat(text(SseFrames.comment(""))).isEqualTo(": \n\n");
    }

    @Test
    void commentWithLineBreaksBecomesSeveralCommentLines() {
        assertThat(text(SseFrames.comment("a\nb\r\nc\rd"))).isEqualTo(": a\n: b\n: c\n: d\n\n");
    }

    @Test
    void jsonWithLineBreaksIsSplitIntoSeveralDataLines() {
        assertThat(text(SseFrames.event("1", bytes("{\n  \"a\": 1\r\n}\r"))))
                .isEqualTo("id: 1\ndata: {\ndata:   \"a\": 1\ndata: }\ndata: \n\n");
        assertThat(text(SseFrames.named("error", bytes("[1,\r2]"))))
                .isEqualTo("event: error\ndata: [1,\ndata: 2]\n\n");
    }

    @Test
    void nonAsciiIdAndDataStayUtf8() {
        byte[] block = SseFrames.event("\u00e9\ud83d\ude00", bytes("\"\u00fc\""));
        assertThat(Utf8.isValid(block)).isTrue();
        assertThat(text(block)).isEqualTo("id: \u00e9\ud83d\ude00\ndata: \"\u00fc\"\n\n");
    }

    @Test
    void emptyJsonStillGivesOneDataLine() {
        assertThat(text(SseFrames.event("", new byte[0]))).isEqualTo("id: \ndata: \n\n");
    }

    @Test
    void idsAndNamesThatWouldBreakTheStreamAreRefused() {
        assertThatThrownBy(() -> SseFrames.event("a\nb", bytes("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> SseFrames.event("a\rb", bytes("1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseFrames.event("a\u0000b", bytes("1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseFrames.named("x\ny", bytes("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventName");
        assertThatThrownBy(() -> SseFrames.named("", bytes("1"))).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, UTF_8);
    }
}
