package io.herald.transport.jakarta.internal;

import io.herald.CloseReason;
import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection that Herald serves itself on a servlet container's upgraded connection
 * ({@code HttpServletRequest.upgrade}): the container's {@link HttpUpgradeHandler}, the reader of the
 * container's non-blocking input, and the hub's {@link Transport}. Frames are read by {@link FrameReader}
 * and written by {@link UpgradeWriter}; nothing blocks.
 *
 * <p>Behaves as the endpoints on the WebSocket APIs do: text and binary messages up to
 * {@link Hub#maxFrameBytes()} go to the hub, a larger one closes with 1009 {@code too-large}, invalid UTF-8
 * in a text message with 1007, a protocol violation with 1002; a ping is answered with a pong and a pong
 * counts as activity. After a 1007, a 1009 or a 1002 nothing more is read: the connection ends once that
 * close frame is written, without waiting for the client's answer (RFC 6455 "fails" such a connection).
 *
 * <p>Closing: whoever closes first sends a close frame and the other answers with one (RFC 6455, section
 * 7); the server then ends the TCP connection. A close waits at most the send timeout for the client: then
 * the hub is told the connection ended, and the container ends the socket of a client that does not read
 * or does not answer ({@link UpgradeSockets#limit}), so a stalled client holds no socket for long once the
 * hub has let it go. The hub is told once how the connection ended, with the code that was sent or received
 * (1006 when the connection broke without a close frame): as soon as the client's close frame or its
 * protocol violation is read, otherwise when the connection has ended.
 *
 * <p>Threads: the container calls the read listener one call at a time; the hub calls {@link #send} with
 * at most one batch in flight and {@link #close} from any thread; the close timer runs on its own thread.
 */
public final class UpgradeConnection implements HttpUpgradeHandler, ReadListener, Transport, FrameReader.Sink,
        UpgradeWriter.Owner {
    private static final Logger LOG = LoggerFactory.getLogger(UpgradeConnection.class);
    private static final int ABNORMAL = 1006;
    private static final ThreadLocal<UpgradeConnection> PENDING = new ThreadLocal<>();
    /** The read buffer of each container thread: a reader copies what it keeps before it returns. */
    private static final ThreadLocal<byte[]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[8192]);

    private final Hub hub;
    private final CloseTimer closeTimer;
    private final long sendTimeoutMs;
    /** The verdict, until the connection opens. */
    private Admission admission;
    private volatile WebConnection connection;
    private ServletInputStream in;
    private volatile UpgradeWriter writer;
    /** {@code null} until the hub opened the connection. */
    private volatile ConnectionHandle handle;

    /** Reader thread only. */
    private FrameReader reader;
    private boolean reading = true;
    private boolean holding;

    // guarded by this
    /** A close frame was sent or is being sent. */
    private boolean closeSent;
    /** The code and reason of the first close frame, ours or the client's. */
    private int closeCode;
    private String closeReason;
    private boolean closeReceived;
    /** Our close frame is handed to the socket. */
    private boolean wroteClose;
    /** No timer bounds the close (the servlet is destroyed): it ends once our close frame is written. */
    private boolean untimed;
    private ScheduledFuture<?> closeTimeout;
    /** The connection ended, with this code and reason. */
    private boolean ended;
    private int endCode;
    private String endReason;
    /** The hub was told. */
    private boolean reported;

    /**
     * Made by the container inside {@code HttpServletRequest.upgrade}, on the thread of the servlet that
     * accepted the handshake ({@link #prepare}).
     *
     * @throws IllegalStateException when made any other way
     */
    public UpgradeConnection() {
        UpgradeConnection prepared = PENDING.get();
        if (prepared == null) {
            throw new IllegalStateException("an UpgradeConnection is made only by Herald's WebSocket servlet");
        }
        this.hub = prepared.hub;
        this.closeTimer = prepared.closeTimer;
        this.sendTimeoutMs = prepared.sendTimeoutMs;
        this.admission = prepared.admission;
    }

    private UpgradeConnection(Hub hub, CloseTimer closeTimer, Admission admission) {
        this.hub = hub;
        this.closeTimer = closeTimer;
        this.admission = admission;
        this.sendTimeoutMs = SessionLimits.sendTimeoutMs(hub.heartbeat());
    }

    /**
     * Says what the next {@link UpgradeConnection} made on this thread serves; {@link #clear} after the upgrade.
     */
    static void prepare(Hub hub, CloseTimer closeTimer, Admission admission) {
        PENDING.set(new UpgradeConnection(hub, closeTimer, admission));
    }

    static void clear() {
        PENDING.remove();
    }

    @Override
    public void init(WebConnection webConnection) {
        this.connection = webConnection;
        try {
            this.in = webConnection.getInputStream();
            UpgradeWriter w = new UpgradeWriter(webConnection.getOutputStream(), this);
            this.writer = w;
            webConnection.getOutputStream().setWriteListener(w);
        } catch (IOException | RuntimeException e) {
            LOG.debug("upgraded connection unusable", e);
            UpgradeSockets.close(webConnection);
            return;
        }
        this.reader = new FrameReader(hub.maxFrameBytes());
        Admission verdict = admission;
        admission = null;
        try {
            handle = hub.gateway().open(verdict, this);
        } catch (RuntimeException e) {
            LOG.warn("the hub could not open an upgraded connection", e);
            close(CloseReason.INTERNAL.code(), CloseReason.INTERNAL.reason());
            return;
        }
        // (the hub may have closed it already, over a limit)
        report();
        in.setReadListener(this);
    }

    @Override
    public void onDataAvailable() throws IOException {
        byte[] buf = READ_BUFFER.get();
        ConnectionHandle h = handle;
        while (in.isReady()) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            if (reading && n > 0) {
                // (a message the hub refuses stops the reading too)
                reading = reader.read(buf, 0, n, this) && reading;
                if (holding) {
                    // the answers to the requests of this read go out in one write; a client that keeps sending
                    // keeps this loop going, so the hold ends with each read, not with the loop
                    holding = false;
                    if (h != null) {
                        h.flushWrites();
                    }
                }
            }
        }
    }

    @Override
    public void onAllDataRead() {
        // the client ended its side: after its close frame, or without one
        endedAsClosed();
    }

    /** Ends the connection with the code of the close frame sent or received, or 1006 when there was none. */
    private void endedAsClosed() {
        int code;
        String reason;
        synchronized (this) {
            code = closeSent ? closeCode : ABNORMAL;
            reason = closeSent ? closeReason : "";
        }
        ended(code, reason);
    }

    @Override
    public void onError(Throwable cause) {
        LOG.debug("reading an upgraded connection failed", cause);
        endedAsClosed();
    }

    @Override
    public void writeFailed(Throwable cause) {
        LOG.debug("writing an upgraded connection failed", cause);
        endedAsClosed();
    }

    @Override
    public void onMessage(boolean text, byte[] payload, boolean more) {
        ConnectionHandle h = handle;
        if (h == null || closing()) {
            return;
        }
        if (more && !holding) {
            // the client sent more before reading our answer: answer its requests in one write
            holding = true;
            h.holdWrites();
        }
        if (!text) {
            h.onBinary(payload);
        } else if (!h.onText(payload)) {
            // RFC 6455 fails the connection, as on a protocol violation: it ends once our close frame is written
            reading = false;
            onError(FrameReader.BAD_PAYLOAD, "bad-payload");
        }
    }

    @Override
    public void onPing(byte[] payload) {
        UpgradeWriter w = writer;
        if (w != null) {
            w.pong(payload);
        }
    }

    @Override
    public void onPong() {
        ConnectionHandle h = handle;
        if (h != null) {
            h.onActivity();
        }
    }

    @Override
    public void onClose(int code, String reason) {
        boolean answer;
        synchronized (this) {
            closeReceived = true;
            answer = !closeSent;
            if (answer) {
                closeSent = true;
                closeCode = code;
                closeReason = reason;
            }
        }
        if (answer) {
            // the hub hears at once that the client left (its sends would fail from now on and say so instead),
            // then the client's code (none when it gave none) is echoed
            tellHub(code, reason);
            startClosing(code, reason, new byte[0]);
        } else {
            // the answer to our close frame: the handshake is done once ours is written too
            finishIfDone();
        }
    }

    @Override
    public void onError(int code, String reason) {
        // the client broke the protocol: the hub hears why at once, then our close frame goes, and the
        // connection ends without waiting for the client's
        tellHub(code, reason);
        close(code, reason);
        synchronized (this) {
            closeReceived = true;
        }
        finishIfDone();
    }

    private synchronized boolean closing() {
        return closeSent;
    }

    @Override
    public Framing framing() {
        return Framing.WEBSOCKET;
    }

    /** Every connection ends with a call to the handle's {@code onClosed}, however it ends. */
    @Override
    public boolean reportsClose() {
        return true;
    }

    @Override
    public void send(List<OutboundFrame> frames, SendCallback callback) {
        UpgradeWriter w = writer;
        if (w == null) {
            callback.failed(new IllegalStateException("not open"));
            return;
        }
        w.send(frames, callback);
    }

    @Override
    public void close(int code, String reason) {
        byte[] why = fit(reason);
        String sent = new String(why, StandardCharsets.UTF_8);
        synchronized (this) {
            if (closeSent || ended) {
                return;
            }
            closeSent = true;
            closeCode = code;
            closeReason = sent;
        }
        startClosing(code, sent, why);
    }

    /**
     * Writes our close frame behind what is being written, bounds how long the client may take to read it
     * and answer (the send timeout), and ends the connection once the handshake is done.
     */
    private void startClosing(int code, String reason, byte[] why) {
        UpgradeWriter w = writer;
        if (w == null) {
            ended(code, reason);
            return;
        }
        // should the client stop reading or answering, the container ends the socket (on Tomcat)
        UpgradeSockets.limit(connection, sendTimeoutMs);
        w.close(code, why, () -> {
            synchronized (this) {
                wroteClose = true;
            }
            finishIfDone();
        });
        // the client did not read our close frame, or did not answer it, within the send timeout
        ScheduledFuture<?> timer = closeTimer.schedule(this::endedAsClosed, sendTimeoutMs, TimeUnit.MILLISECONDS);
        if (timer == null) {
            // the servlet is destroyed: the connection ends once our close frame is written
            synchronized (this) {
                untimed = true;
            }
            finishIfDone();
            return;
        }
        synchronized (this) {
            if (!ended && closeTimeout == null) {
                closeTimeout = timer;
                return;
            }
        }
        timer.cancel(false);
    }

    /** Ends the connection once the close handshake is done: our close frame written, the client's read. */
    private void finishIfDone() {
        int code;
        String reason;
        synchronized (this) {
            if (ended || !wroteClose || !(closeReceived || untimed)) {
                return;
            }
            code = closeCode;
            reason = closeReason;
        }
        ended(code, reason);
    }

    /**
     * The connection ended: its streams are closed, waiting writes fail, and the hub is told once (now, or
     * once {@link #init} has its handle).
     */
    private void ended(int code, String reason) {
        ScheduledFuture<?> timer;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            endCode = code;
            endReason = reason;
            timer = closeTimeout;
            closeTimeout = null;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        UpgradeWriter w = writer;
        if (w != null) {
            w.fail(new ClosedChannelException());
        }
        WebConnection c = connection;
        if (c != null) {
            UpgradeSockets.close(c);
        }
        report();
    }

    /**
     * Tells the hub, once, that the connection ended or is ending and why. Called as soon as the client
     * closes or breaks the protocol, so that the hub stops sending: otherwise its next send would fail on the
     * closing writer and the hub would record that failure as the reason.
     */
    private void tellHub(int code, String reason) {
        ConnectionHandle h = handle;
        synchronized (this) {
            if (h == null || reported) {
                return;
            }
            reported = true;
        }
        h.onClosed(code, reason);
    }

    /** Tells the hub how the connection ended, once, when it has ended and the hub has opened it. */
    private void report() {
        int code;
        String reason;
        synchronized (this) {
            if (!ended) {
                return;
            }
            code = endCode;
            reason = endReason;
        }
        tellHub(code, reason);
    }

    @Override
    public void destroy() {
        // the container ended the connection (stopping, or once it was closed)
        endedAsClosed();
    }

    private static byte[] fit(String reason) {
        return CloseReasons.fit(reason).getBytes(StandardCharsets.UTF_8);
    }
}
