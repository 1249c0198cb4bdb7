package io.herald.transport.jakarta.internal;

import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket session as a Herald {@link Transport}: writes the hub's frames with the session's
 * asynchronous remote, one container send at a time, and closes it.
 *
 * <p>A batch is written frame by frame: each message goes out with {@code sendText(text, this)} and the
 * next one is started from this {@link SendHandler}. A completion that arrives on the sending thread, before
 * {@code sendText} returns (Tyrus does this when the socket takes the bytes at once), is noticed and
 * continued in a loop rather than by recursion. Tomcat 11 hands every completion to one of its own threads
 * instead, so there the batch goes on from that thread. A keep-alive goes out with {@code sendPing} on a
 * {@link ControlThreads} thread, because Jetty and Tomcat block in it until the ping is written; it is the
 * session's one send in flight like any frame, and the ping thread continues the batch once it returns. The
 * hub's callback is told once per batch, after the last frame, or once on the first failure.
 *
 * <p>On Jetty 12 the batch goes through {@link JettyFrameWriter} instead, which sends the hub's bytes
 * without re-encoding them and lets Jetty write the batch in as few socket writes as it can.
 *
 * <p>{@link #close} hands {@code Session.close} to a control thread too (Tomcat writes the close frame with a
 * blocking send). Nothing here holds a lock while calling the container or the hub.
 */
final class WebSocketTransport implements Transport, SendHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
    private static final int IDLE = 0;
    private static final int SENDING = 1;
    private static final int COMPLETED_ELSEWHERE = 2;
    private static final VarHandle PHASE;
    private static final VarHandle CLOSED;
    private static final OutboundFrame[] NO_FRAMES = new OutboundFrame[0];

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PHASE = lookup.findVarHandle(WebSocketTransport.class, "phase", int.class);
            CLOSED = lookup.findVarHandle(WebSocketTransport.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final ControlThreads control;
    /** Whether {@link #close} was called. */
    private volatile boolean closed;
    /** Jetty's byte path when the container is Jetty 12, else {@code null} (the Jakarta API path below). */
    private final JettyFrameWriter jetty;

    /**
     * Writer only (published to a completion thread by {@link #phase}): the batch being written; empty until
     * the first batch on the Jakarta API path (the Jetty path never needs it).
     */
    private OutboundFrame[] frames = NO_FRAMES;
    private int count;
    private int next;
    private SendCallback callback;
    private Thread sender;
    private boolean completedOnSender;
    private Throwable error;
    /** {@link #IDLE}, {@link #SENDING} or {@link #COMPLETED_ELSEWHERE}. */
    private volatile int phase;

    WebSocketTransport(Session session, ControlThreads control) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.control = control;
        this.jetty = jettyWriter(session);
    }

    /** Set once Jetty's core classes turned out not to be visible; later sessions skip the attempt. */
    private static volatile boolean jettyUnusable;

    /**
     * The Jetty path, checked by class name first: {@link JettyFrameWriter} refers to Jetty's types, so it
     * must not even be loaded where Jetty is absent.
     */
    private static JettyFrameWriter jettyWriter(Session session) {
        if (jettyUnusable || !session.getClass().getName().startsWith(JettyFrameWriter.JETTY_PACKAGE)) {
            return null;
        }
        try {
            return JettyFrameWriter.forSession(session);
        } catch (LinkageError e) {
            // a web application's class loader hides Jetty's core classes: it will for every session
            jettyUnusable = true;
            LOG.info("Jetty's core session is not visible to Herald here; sending through the Jakarta API", e);
            return null;
        }
    }

    /**
     * @return what counts the inbound messages, given their length in bytes, and says whether the container
     *     has already read more of the client's input than each (on Jetty, see {@link JettyFrameWriter#moreAfter});
     *     {@code null} where that cannot be known
     */
    IntPredicate readAhead() {
        return jetty != null && jetty.readsAhead() ? jetty::moreAfter : null;
    }

    @Override
    public Framing framing() {
        return Framing.WEBSOCKET;
    }

    @Override
    public void send(List<OutboundFrame> batch, SendCallback done) {
        if (jetty != null) {
            jetty.send(batch, done);
            return;
        }
        int n = batch.size();
        if (frames.length < n) {
            frames = new OutboundFrame[Math.max(n, Math.max(8, frames.length * 2))];
        }
        for (int i = 0; i < n; i++) {
            frames[i] = batch.get(i);
        }
        count = n;
        next = 0;
        error = null;
        callback = done;
        pump();
    }

    /** Writes frames until one completes on another thread, a ping is handed off, or the batch is done. */
    private void pump() {
        while (true) {
            if (next == count) {
                finish(null);
                return;
            }
            OutboundFrame frame = frames[next];
            frames[next++] = null;
            if (frame.kind() == OutboundFrame.Kind.PING) {
                pingOnControlThread();
                return;
            }
            sender = Thread.currentThread();
            completedOnSender = false;
            PHASE.setRelease(this, SENDING);
            try {
                remote.sendText(frame.text(), this);
            } catch (RuntimeException e) {
                phase = IDLE;
                finish(e);
                return;
            }
            sender = null;
            if (!completedOnSender && PHASE.compareAndSet(this, SENDING, IDLE)) {
                return;
            }
            phase = IDLE;
            if (error != null) {
                finish(error);
                return;
            }
        }
    }

    @Override
    public void onResult(SendResult result) {
        if (!result.isOK()) {
            error = result.getException() != null ? result.getException() : new IOException("send failed");
        }
        if (sender == Thread.currentThread() && phase == SENDING) {
            completedOnSender = true;
            return;
        }
        if (PHASE.compareAndSet(this, SENDING, COMPLETED_ELSEWHERE)) {
            return;
        }
        if (error != null) {
            finish(error);
        } else {
            pump();
        }
    }

    /**
     * Hands a keep-alive to a ping thread, which goes on with the batch once {@code sendPing} returns. The
     * ping is this session's one send in flight: it is handed over only after the previous frame completed,
     * and no frame is sent until it is written. So it never waits behind a text send to a client that
     * stopped reading (Tomcat's {@code sendPing} would, for the whole blocking send timeout, holding a ping
     * thread that healthy clients' keep-alives need), and a client that stopped reading keeps its keep-alive
     * in the hub's queue, behind the send that is stuck, instead of on a ping thread.
     */
    private void pingOnControlThread() {
        control.ping(this::pingThenContinue);
    }

    /**
     * On a ping thread: writes the keep-alive, then the rest of the batch. A ping that cannot be written
     * fails the batch: the connection is unusable, and the hub lets it go now rather than at the idle
     * timeout, two or three heartbeats later.
     */
    private void pingThenContinue() {
        try {
            remote.sendPing(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
            LOG.debug("ping to {} failed", session.getId(), e);
            // the hub takes the failure as the connection's end and will not close it: close it here, whether or
            // not the container already did, on the close threads (a close into the socket that failed the ping
            // may block, and this ping thread serves every other session's keep-alive); messages read from now
            // on are dropped
            close(io.herald.CloseReason.INTERNAL.code(), io.herald.CloseReason.INTERNAL.reason());
            finish(e);
            return;
        }
        pump();
    }

    /** Ends the batch: resets the writer first, since the callback may start the next batch at once. */
    private void finish(Throwable failure) {
        for (int i = next; i < count; i++) {
            frames[i] = null;
        }
        count = 0;
        next = 0;
        error = null;
        SendCallback done = callback;
        callback = null;
        if (done == null) {
            return;
        }
        if (failure == null) {
            done.completed();
        } else {
            LOG.debug("send to {} failed", session.getId(), failure);
            done.failed(failure);
        }
    }

    /** The container reports every end of the connection, which the endpoint passes on as {@code onClosed}. */
    @Override
    public boolean reportsClose() {
        return true;
    }

    /** @return whether the session is being closed, by the hub or by the endpoint: what it reads is dropped */
    boolean closing() {
        return closed;
    }

    @Override
    public void close(int code, String reason) {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        // a batch is in flight until its callback is taken; reading the volatile phase first makes the
        // writer's last callback visible. Jetty's path keeps neither, and Jetty's close never waits
        // (CoreSession.close with a no-op callback)
        boolean sending = phase != IDLE | callback != null;
        control.close(() -> closeSession(session, code, reason), jetty == null && sending);
    }

    /**
     * Closes a session with a code and reason, ignoring a session that is already closed.
     *
     * @param session the session
     * @param code a close code that may go on the wire ({@link io.herald.CloseReason#sendable}); if the close
     *     with it fails, the session is closed with the container's default (1000)
     * @param reason a short word; cut to the 123 bytes a close frame allows
     */
    static void closeSession(Session session, int code, String reason) {
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), CloseReasons.fit(reason)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing {} with {} failed", session.getId(), code, e);
            try {
                // the hub has let the connection go: never leave its socket open
                session.close();
            } catch (IOException | RuntimeException again) {
                LOG.debug("closing {} failed again", session.getId(), again);
            }
        }
    }
}
