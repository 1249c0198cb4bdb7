package io.herald.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseTransportTest {
    /** Records how a send ended; the SPI allows exactly one outcome. */
    private static final class Outcome implements SendCallback {
        final List<String> calls = new ArrayList<>();

        @Override
        public void completed() {
            calls.add("completed");
        }

        @Override
        public void failed(Throwable cause) {
            calls.add("failed: " + cause.getMessage());
        }
    }

    @Test
    void aSendWaitingForTheStreamFailsOnceWhenTheHubClosesBeforeItStarts() {
        SseTransport transport = new SseTransport("retry: 1000\n\n".getBytes(StandardCharsets.US_ASCII));
        Outcome connectedFrame = new Outcome();
        transport.send(List.of(OutboundFrame.message("event: connected\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8),
                false)), connectedFrame);
        assertThat(connectedFrame.calls).as("waits for the stream to start").isEmpty();

        transport.close(1001, "shutdown");
        transport.close(1001, "shutdown");

        assertThat(connectedFrame.calls).containsExactly("failed: stream closed with a send pending");
        assertThat(transport.closeCode()).isEqualTo(1001);
        assertThat(transport.closeReason()).isEqualTo("shutdown");
    }

    @Test
    void aSendAfterCloseFailsAtOnce() {
        SseTransport transport = new SseTransport(new byte[0]);
        transport.close(1013, "capacity");
        Outcome late = new Outcome();
        transport.send(List.of(OutboundFrame.PING), late);
        assertThat(late.calls).containsExactly("failed: stream closed");
    }
}
