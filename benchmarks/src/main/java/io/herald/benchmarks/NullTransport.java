package io.herald.benchmarks;

import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.util.List;

/**
 * An in-memory transport that accepts every batch at once and keeps only counters, so a benchmark measures
 * the hub's own work: matching, queueing and the writer hand-off.
 */
final class NullTransport implements Transport {
    private final Framing framing;
    long frames;
    long bytes;

    NullTransport(Framing framing) {
        this.framing = framing;
    }

    @Override
    public Framing framing() {
        return framing;
    }

    @Override
    public void send(List<OutboundFrame> batch, SendCallback callback) {
        for (int i = 0; i < batch.size(); i++) {
            frames++;
            bytes += batch.get(i).length();
        }
        callback.completed();
    }

    @Override
    public void close(int code, String reason) {
        // nothing to release
    }
}
