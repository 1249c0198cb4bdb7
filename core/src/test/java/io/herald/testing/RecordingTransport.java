package io.herald.testing;

import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory {@link Transport}: a real implementation of the SPI for tests. Every frame the hub writes
 * lands in a queue that tests poll with timeouts. It can stall (stop completing sends, like a client that
 * stopped reading) and resume, and it records the close.
 */
public final class RecordingTransport implements Transport {
    /** A recorded close. */
    public record Close(int code, String reason) {
    }

    private final Framing framing;
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private final AtomicReference<Close> closed = new AtomicReference<>();
    private final List<SendCallback> stalled = new ArrayList<>();
    private volatile boolean stall;
    /** Guarded by {@code stalled}: keep-alives alone are not stalled until a message is. */
    private boolean stallMessagesOnly;

    /** @param framing the framing to present */
    public RecordingTransport(Framing framing) {
        this.framing = framing;
    }

    @Override
    public Framing framing() {
        return framing;
    }

    @Override
    public void send(List<OutboundFrame> batch, SendCallback callback) {
        sends.incrementAndGet();
        boolean message = false;
        for (OutboundFrame f : batch) {
            if (f.kind() == OutboundFrame.Kind.PING) {
                pings.incrementAndGet();
            } else {
                frames.add(f.text());
                message = true;
            }
        }
        synchronized (stalled) {
            if (stall && (message || !stallMessagesOnly || !stalled.isEmpty())) {
                stalled.add(callback);
                return;
            }
        }
        callback.completed();
    }

    @Override
    public void close(int code, String reason) {
        closeCalls.incrementAndGet();
        closed.compareAndSet(null, new Close(code, reason));
    }

    /** Stops completing sends: the hub sees one send in flight forever, like a client that stopped reading. */
    public void stall() {
        stall = true;
    }

    /**
     * Like {@link #stall()} from the first send that carries a message: sends of keep-alives alone before it
     * still complete, so the send that stalls is known.
     */
    public void stallMessages() {
        synchronized (stalled) {
            stallMessagesOnly = true;
            stall = true;
        }
    }

    /** Completes the stalled send and goes back to completing sends at once. */
    public void resume() {
        List<SendCallback> pending;
        synchronized (stalled) {
            stall = false;
            stallMessagesOnly = false;
            pending = new ArrayList<>(stalled);
            stalled.clear();
        }
        pending.forEach(SendCallback::completed);
    }

    /** @return the queue of received frames (text), oldest first */
    public BlockingQueue<String> frames() {
        return frames;
    }

    /** @return keep-alives received */
    public int pings() {
        return pings.get();
    }

    /** @return send calls received */
    public int sends() {
        return sends.get();
    }

    /** @return how many times the hub called {@link #close} */
    public int closeCalls() {
        return closeCalls.get();
    }

    /** @return the close, or {@code null} while open */
    public Close closed() {
        return closed.get();
    }
}
