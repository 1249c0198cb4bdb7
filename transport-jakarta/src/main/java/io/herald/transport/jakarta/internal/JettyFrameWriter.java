package io.herald.transport.jakarta.internal;

import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.ExtensionConfig;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * The write path on Jetty 12 (ee10). The Jakarta API only takes a {@code String} for a text frame, so the
 * container encodes every recipient's copy of an already-encoded event again; Jetty's core session takes
 * bytes. Each frame goes out as its own {@link ByteBuffer} view of the hub's shared array (Jetty only
 * reads it), and every frame of a batch but the last is sent in Jetty's batch mode, so the batch leaves in
 * as few socket writes as Jetty can make of it. Pings go the same way, without blocking. Nothing here
 * blocks: the core session queues the frames and completes their callbacks from its flusher.
 *
 * <p>Loaded only after the session's class name says it is Jetty's; other containers never load it.
 */
final class JettyFrameWriter {
    /** The package of Jetty 12 ee10's Jakarta session; a compile-time constant, so callers can test a
     *  session's class name without loading this class. */
    static final String JETTY_PACKAGE = "org.eclipse.jetty.ee10.websocket.jakarta.common.";

    private final CoreSession core;
    /** The session's connection when frames may skip the session's own flusher, else {@code null}. */
    private final WebSocketConnection direct;
    private final long sendTimeoutMs;
    /** Counts the inbound messages against what Jetty has read; created at the first message. */
    private ReadAhead readAhead;

    /**
     * @param core the session
     * @param sendTimeoutMs how long each frame may wait to be written before Jetty fails the session (a
     *     client that stopped reading); 0 or less: no limit
     */
    JettyFrameWriter(CoreSession core, long sendTimeoutMs) {
        this.core = core;
        this.direct = directConnection(core);
        this.sendTimeoutMs = sendTimeoutMs;
    }

    /**
     * @param session a container session, its send timeout already set
     * @return a writer for it when it is a Jetty 12 ee10 session, else {@code null}; its frames keep the
     *     session's send timeout, as Jetty's own async remote would apply it
     */
    static JettyFrameWriter forSession(Session session) {
        return session instanceof JakartaWebSocketSession jetty
                ? new JettyFrameWriter(jetty.getCoreSession(), session.getAsyncRemote().getSendTimeout())
                : null;
    }

    /**
     * Where frames can go straight to the connection's frame flusher. The session's own path
     * ({@link CoreSession#sendFrame}) first takes the session-state lock, copies the entry, and runs it
     * through a second flusher (an iterating callback with its own lock and queue) and the extension stack,
     * before it reaches the same {@link WebSocketConnection#enqueueFrame}: per frame that is two more locks,
     * a queue, and more stores into long-lived objects for the collector to track. With no extension
     * negotiated that path changes nothing in a frame the hub sends (complete, valid, unmasked text frames
     * and pings), and the connection's flusher still refuses frames once a close frame is queued or the
     * connection is closed, so the hub's frames may take the short way. Closes, and pongs answering a
     * client's ping, still go through the session, which tracks the close handshake.
     *
     * @return the connection, or {@code null} when frames must go through the session
     */
    static WebSocketConnection directConnection(CoreSession core) {
        if (core instanceof WebSocketCoreSession session) {
            List<ExtensionConfig> extensions = session.getNegotiatedExtensions();
            if (extensions == null || extensions.isEmpty()) {
                return session.getConnection();
            }
        }
        return null;
    }

    /** @return whether {@link #moreAfter} can tell: no extension was negotiated, the connection is reachable */
    boolean readsAhead() {
        return direct != null;
    }

    /**
     * The Jakarta endpoint's read-ahead: counts one inbound message, as {@link ReadAhead} counts frames, against
     * the bytes Jetty has read from the connection. A message that came in several frames counts short (one
     * header), as does a client's ping, which Jetty answers without telling the endpoint; the hub then holds its
     * answers until its own timer ends the hold, at most until Jetty's next read. Called by the thread handling
     * the session's messages, one at a time.
     *
     * @param payloadBytes the message's length in bytes (UTF-8 for text), or a pong's payload length
     * @return whether Jetty has read bytes beyond this message; only called when {@link #readsAhead()}
     */
    boolean moreAfter(int payloadBytes) {
        if (readAhead == null) {
            readAhead = new ReadAhead();
        }
        return readAhead.more(direct.getBytesIn(), payloadBytes, true);
    }

    /**
     * Sends a batch; {@code done} is told once, when Jetty has written every frame or on the first failure.
     *
     * @param batch the hub's frames, only valid during this call
     * @param done the hub's callback
     */
    void send(List<OutboundFrame> batch, SendCallback done) {
        int n = batch.size();
        if (n == 0) {
            done.completed();
            return;
        }
        BatchCallback callback = new BatchCallback(n, done);
        for (int i = 0; i < n; i++) {
            OutboundFrame f = batch.get(i);
            Frame frame = f.kind() == OutboundFrame.Kind.PING ? new Frame(OpCode.PING)
                    : new Frame(OpCode.TEXT, ByteBuffer.wrap(f.bytes()));
            OutgoingEntry.Builder entry = new OutgoingEntry.Builder(frame, callback).batch(i < n - 1);
            if (sendTimeoutMs > 0) {
                entry.messageTimeout(sendTimeoutMs);
            }
            if (direct != null) {
                direct.enqueueFrame(entry.build());
            } else {
                core.sendFrame(entry.build());
            }
        }
    }

    /** Counts a batch's frames out; reports the batch once. */
    private static final class BatchCallback implements Callback {
        private final AtomicInteger remaining;
        private final AtomicBoolean reported = new AtomicBoolean();
        private final SendCallback done;

        BatchCallback(int frames, SendCallback done) {
            this.remaining = new AtomicInteger(frames);
            this.done = done;
        }

        @Override
        public void succeeded() {
            if (remaining.decrementAndGet() == 0 && reported.compareAndSet(false, true)) {
                done.completed();
            }
        }

        @Override
        public void failed(Throwable cause) {
            if (reported.compareAndSet(false, true)) {
                done.failed(cause);
            }
        }
    }
}
