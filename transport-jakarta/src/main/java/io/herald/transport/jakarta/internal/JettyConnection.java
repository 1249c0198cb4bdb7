package io.herald.transport.jakarta.internal;

import io.herald.CloseReason;
import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection on Jetty's core WebSocket API: Jetty's {@link FrameHandler} and the hub's {@link Transport}
 * in one object, so an idle connection costs Herald this object and the hub's own state, and Jetty only
 * its core session and connection (no Jakarta session, decoders, encoders, message-handler bindings, or
 * the HTTP request the Jakarta layer keeps for the connection's life).
 *
 * <p>Behaves as {@link HeraldEndpoint} and {@link WebSocketTransport} do on a Jakarta container: text and
 * binary messages (fragmented or not) up to {@link Hub#maxFrameBytes()} bytes go to the hub, a larger one
 * closes with 1009 {@code too-large}, invalid UTF-8 with 1007; a pong counts as activity and a ping is
 * answered; a finite idle timeout below six heartbeats is raised to six. Writes go straight to Jetty's
 * endpoint through {@link EndPointWriter} (through Jetty's frame pipeline with {@link JettyFrameWriter} when
 * the client negotiated an extension) and never block; neither does {@link #close}, which only hands a close
 * frame to Jetty once the write in flight is done.
 *
 * <p>Threads: Jetty calls the frame handler methods one at a time (frames are asked for with
 * {@link CoreSession#demand()} after each one); the hub calls {@link #send} with at most one batch in flight
 * and {@link #close} from any thread.
 */
final class JettyConnection implements FrameHandler, Transport {
    private static final Logger LOG = LoggerFactory.getLogger(JettyConnection.class);
    private static final VarHandle CLOSED;
    private static final byte[] EMPTY = new byte[0];

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(JettyConnection.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Hub hub;
    /** The verdict, until the connection opens. */
    private Admission admission;
    private volatile CoreSession session;
    /** Set in {@link #onOpen}, before the hub can send: one of the two writers, the other {@code null}. */
    private volatile EndPointWriter direct;
    private volatile JettyFrameWriter writer;
    /** {@code null} until the hub opened the connection. */
    private volatile ConnectionHandle handle;
    private volatile boolean closed;

    /**
     * Frame handler thread only: Jetty's connection, for the bytes it has read, and the count of the frames
     * handled ({@code null} both when an extension transforms frames, so byte counts say nothing); and
     * whether the hub was asked to hold its writes.
     */
    private WebSocketConnection input;
    private ReadAhead readAhead;
    private boolean holding;

    /** Frame handler thread only: a fragmented message being put together; {@code null} between messages. */
    private byte[] partial;
    private int partialLength;
    private byte partialOpCode;

    JettyConnection(Hub hub, Admission admission) {
        this.hub = hub;
        this.admission = admission;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        this.session = coreSession;
        this.input = JettyFrameWriter.directConnection(coreSession);
        this.readAhead = input == null ? null : new ReadAhead();
        // a frame may wait this long to be written before the session fails (a client that stopped reading)
        long sendTimeoutMs = SessionLimits.sendTimeoutMs(hub.heartbeat());
        this.direct = EndPointWriter.of(coreSession, sendTimeoutMs);
        if (direct == null) {
            this.writer = new JettyFrameWriter(coreSession, sendTimeoutMs);
        }
        // (no message size to set: Jetty reads it only in its message sinks; onData enforces the hub's)
        long idle = SessionLimits.minIdleTimeoutMs(hub.heartbeat());
        Duration current = coreSession.getIdleTimeout();
        if (current != null && !current.isNegative() && !current.isZero() && current.toMillis() < idle) {
            coreSession.setIdleTimeout(Duration.ofMillis(idle));
        }
        Admission verdict = admission;
        admission = null;
        try {
            handle = hub.gateway().open(verdict, this);
        } catch (RuntimeException e) {
            callback.failed(e);
            return;
        }
        callback.succeeded();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        ConnectionHandle h = handle;
        boolean more = readAhead != null
                && readAhead.more(input.getBytesIn(), frame.getPayloadLength(), frame.isMasked());
        if (more && h != null) {
            // the client sent more before reading our answer: answer its requests in one write (asked at every
            // frame, since the hub's timer may have ended the hold)
            holding = true;
            h.holdWrites();
        }
        dispatch(frame, callback);
        if (holding && !more) {
            holding = false;
            h.flushWrites();
        }
    }

    private void dispatch(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        switch (op) {
            case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> onData(frame, callback);
            case OpCode.PING -> {
                // the ping's payload stays valid until its callback completes, and the next frame is read
                // only once the pong is written: a client that pings and never reads cannot grow the queue
                Callback then = Callback.from(() -> {
                    callback.succeeded();
                    session.demand();
                }, callback::failed);
                EndPointWriter d = direct;
                if (d != null) {
                    d.pong(frame.getPayload(), then);
                } else {
                    session.sendFrame(new Frame(OpCode.PONG, true, frame.getPayload()), then, false);
                }
            }
            case OpCode.PONG -> {
                ConnectionHandle h = handle;
                if (h != null) {
                    h.onActivity();
                }
                callback.succeeded();
                session.demand();
            }
            default -> {
                // CLOSE: the hub hears at once that the client left (its sends would fail from now on and say so
                // instead; Jetty's onClosed repeats it, which the hub ignores). Jetty answers the close once this
                // callback completes, which must not meet a write of ours; nothing more is read
                ConnectionHandle h = handle;
                if (h != null) {
                    CloseStatus status;
                    try {
                        status = new CloseStatus(frame.getPayload());
                    } catch (RuntimeException e) {
                        // a close frame Jetty will refuse itself (a bad code or reason): its onClosed says how
                        status = null;
                    }
                    if (status != null) {
                        h.onClosed(status.getCode(), status.getReason());
                    }
                }
                afterOurWrite(callback::succeeded);
            }
        }
    }

    /**
     * Runs an action that lets Jetty write on its own (a close frame) once no write of ours is in flight, so
     * the two never meet; at once when Jetty's frame pipeline writes for us.
     */
    private void afterOurWrite(Runnable action) {
        EndPointWriter d = direct;
        if (d != null) {
            d.whenIdle(action);
        } else {
            action.run();
        }
    }

    private void onData(Frame frame, Callback callback) {
        if (closed) {
            // closing (a frame refused as too large, or the hub's close): what follows is not the hub's; the
            // close handshake still needs reading
            partial = null;
            callback.succeeded();
            session.demand();
            return;
        }
        byte op = frame.getOpCode();
        int maxFrame = hub.maxFrameBytes();
        int length = frame.getPayloadLength();
        byte[] message;
        if (op != OpCode.CONTINUATION && frame.isFin() && partial == null) {
            if (length > maxFrame) {
                tooLarge(callback);
                return;
            }
            message = bytes(frame.getPayload());
        } else {
            if (op != OpCode.CONTINUATION) {
                if (length > maxFrame) {
                    tooLarge(callback);
                    return;
                }
                partialOpCode = op;
                partialLength = 0;
                partial = new byte[Math.min(Math.max(length, 256), maxFrame)];
            }
            if (partial == null || (long) partialLength + length > maxFrame) {
                partial = null;
                tooLarge(callback);
                return;
            }
            if (partialLength + length > partial.length) {
                partial = Arrays.copyOf(partial, (int) Math.min(maxFrame, Math.max(partialLength + length,
                        2L * partial.length)));
            }
            if (length > 0) {
                frame.getPayload().slice().get(partial, partialLength, length);
            }
            partialLength += length;
            if (!frame.isFin()) {
                callback.succeeded();
                session.demand();
                return;
            }
            message = Arrays.copyOf(partial, partialLength);
            op = partialOpCode;
            partial = null;
        }
        ConnectionHandle h = handle;
        if (op == OpCode.TEXT) {
            if (h != null && !h.onText(message)) {
                // Jetty writes its 1007 close as soon as the callback fails: after our write in flight, not into it
                afterOurWrite(() -> callback.failed(new BadPayloadException("invalid UTF-8 in a text message")));
                return;
            }
        } else if (h != null) {
            h.onBinary(message);
        }
        callback.succeeded();
        session.demand();
    }

    private void tooLarge(Callback callback) {
        close(CloseReason.TOO_LARGE.code(), CloseReason.TOO_LARGE.reason());
        callback.succeeded();
        session.demand();
    }

    private static byte[] bytes(ByteBuffer payload) {
        if (payload == null || !payload.hasRemaining()) {
            return EMPTY;
        }
        byte[] b = new byte[payload.remaining()];
        payload.slice().get(b);
        return b;
    }

    /**
     * An error Jetty reports (a broken connection, a protocol violation); Jetty closes the session itself and
     * then calls {@link #onClosed} with the real code. The hub is told at once that the connection ended
     * abnormally (1006, never sent on the wire), as the Jakarta endpoint does; it ignores that if it had
     * already closed the connection.
     */
    @Override
    public void onError(Throwable cause, Callback callback) {
        // Jetty calls this only while closing the connection, right before onClosed, which reports the
        // close code the error led to (1002, 1007, 1009 or 1006); reporting here first would hide it
        LOG.debug("WebSocket error on {}", session, cause);
        // Jetty writes its close frame once this callback completes, which must not meet a write of ours
        afterOurWrite(callback::succeeded);
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        EndPointWriter d = direct;
        if (d != null) {
            d.closed();
        }
        ConnectionHandle h = handle;
        if (h != null) {
            h.onClosed(closeStatus.getCode(), closeStatus.getReason());
        }
        callback.succeeded();
    }

    @Override
    public Framing framing() {
        return Framing.WEBSOCKET;
    }

    /**
     * Jetty calls {@link #onClosed} for every session it opened, however it ends, and a close asked while a
     * write is in flight goes out after it: {@code Hub.close} waits for that (within its deadline) before the
     * server may be stopped.
     */
    @Override
    public boolean reportsClose() {
        return true;
    }

    @Override
    public void send(List<OutboundFrame> frames, SendCallback callback) {
        EndPointWriter d = direct;
        if (d != null) {
            d.send(frames, callback);
        } else {
            writer.send(frames, callback);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        EndPointWriter d = direct;
        CoreSession s = session;
        if (d != null) {
            d.close(code, CloseReasons.fit(reason));
        } else if (s != null && s.isOutputOpen()) {
            s.close(code, CloseReasons.fit(reason), Callback.NOOP);
        }
    }
}
