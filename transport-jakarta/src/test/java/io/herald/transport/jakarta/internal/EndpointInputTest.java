package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.spi.ConnectionHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the Jakarta endpoint asks the hub to hold its answers back, and when to write them. */
class EndpointInputTest {
    private final List<String> calls = new ArrayList<>();

    private HeraldEndpoint.Input input(boolean... more) {
        int[] next = {0};
        return new HeraldEndpoint.Input(bytes -> {
            calls.add("count " + bytes);
            return more[next[0]++];
        }, new Recording());
    }

    @Test
    void messagesThatAreFollowedByMoreAreAnsweredTogetherAfterTheLast() {
        HeraldEndpoint.Input in = input(true, true, false);
        for (int bytes : new int[] {10, 20, 30}) {
            in.before(bytes);
            calls.add("message");
            in.after();
        }
        assertThat(calls).containsExactly("count 10", "hold", "message", "count 20", "hold", "message", "count 30",
                "message", "flush");
    }

    @Test
    void aTextMessageCountsWithItsLengthInUtf8() {
        HeraldEndpoint.Input in = input(false);
        in.before("h\u00e9\u20ac\ud83d\ude00");
        assertThat(calls).containsExactly("count 10");
    }

    @Test
    void whereTheContainerCannotTellNothingIsCountedOrHeld() {
        HeraldEndpoint.Input in = new HeraldEndpoint.Input(null, new Recording());
        in.before("text");
        in.after();
        in.before(7);
        in.after();
        assertThat(calls).isEmpty();
    }

    @Test
    void aMessageWithNothingAfterItIsAnsweredAtOnceWithoutAHold() {
        HeraldEndpoint.Input in = input(false, false);
        in.before(5);
        in.after();
        in.before(6);
        in.after();
        assertThat(calls).containsExactly("count 5", "count 6");
    }

    private final class Recording implements ConnectionHandle {
        @Override
        public String connectionId() {
            return "c";
        }

        @Override
        public void onText(String message) {
        }

        @Override
        public void onBinary(byte[] message) {
        }

        @Override
        public void holdWrites() {
            calls.add("hold");
        }

        @Override
        public void flushWrites() {
            calls.add("flush");
        }

        @Override
        public void onActivity() {
        }

        @Override
        public void onClosed(int code, String reason) {
        }
    }
}
