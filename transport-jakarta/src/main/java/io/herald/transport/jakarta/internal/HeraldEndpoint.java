package io.herald.transport.jakarta.internal;

import io.herald.CloseReason;
import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.ConnectionHandle;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint instance of one connection. Container threads call it: {@code onOpen} once, then the
 * message handlers one message at a time, then {@code onClose}; {@code onError} may come in between.
 * Everything is handed to the hub's {@link ConnectionHandle}, which returns quickly.
 *
 * <p>At open it gives the session the hub's limits:
 * <ul>
 *   <li>text and binary messages up to {@link Hub#maxFrameBytes()} bytes. Jetty refuses larger frames
 *       itself (1009); Tomcat counts the text limit in characters and Tyrus applies it only to fragmented
 *       messages, so the message handlers also measure each message and close with 1009
 *       {@code too-large} when it is above the limit, before the hub sees it. Tomcat would keep message
 *       buffers as large as the limit for every session; there the handlers take messages in parts of
 *       {@value #TOMCAT_PART_SIZE} and {@link MessageParts} puts them together;</li>
 *   <li>an idle timeout that never fires before the hub's own (the hub closes a client silent for more
 *       than two heartbeats once its ping was written a heartbeat before, or for more than four when its
 *       writes stopped, checking once per heartbeat; while writes complete the container sees the
 *       connection busy): a finite
 *       container timeout below six heartbeats is raised to six; an infinite one (Tomcat's and Tyrus's default) is left alone. Tyrus is never asked
 *       to change it, because setting it races with Tyrus's own idle task and can close a fresh session;</li>
 *   <li>an asynchronous send timeout of one heartbeat but at least {@value SessionLimits#MIN_SEND_TIMEOUT_MS} ms, which
 *       bounds how long a write to a client that stopped reading may take. The same bound goes into
 *       Tomcat's {@value #TOMCAT_BLOCKING_SEND_TIMEOUT} user property, which limits its blocking ping and
 *       close writes (its default is 20 s); other containers ignore that property.</li>
 * </ul>
 */
public final class HeraldEndpoint extends Endpoint {
    static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    /**
     * The message buffers Tomcat keeps per session, in characters (text) and bytes (binary): its parts of a
     * longer message. Tomcat re-allocates each at the size given when a message of its kind starts and keeps
     * it (a text buffer of the default 64 KiB limit was 128 KiB of heap per idle connection); its default is
     * 8,192.
     */
    static final int TOMCAT_PART_SIZE = 1_024;
    private static final String TOMCAT_PACKAGE = "org.apache.tomcat.websocket.";

    private static final Logger LOG = LoggerFactory.getLogger(HeraldEndpoint.class);
    private static final ConnectionHandle NOT_OPEN = new ConnectionHandle() {
        @Override
        public String connectionId() {
            return "";
        }

        @Override
        public void onText(String message) {
        }

        @Override
        public void onBinary(byte[] message) {
        }

        @Override
        public void onActivity() {
        }

        @Override
        public void onClosed(int code, String reason) {
        }
    };

    private final Hub hub;
    private final ControlThreads control;
    private volatile ConnectionHandle handle = NOT_OPEN;

    HeraldEndpoint(Hub hub, ControlThreads control) {
        this.hub = hub;
        this.control = control;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        applyLimits(session);
        Object verdict = config.getUserProperties().get(HeraldConfigurator.ADMISSION);
        if (verdict == null) {
            verdict = session.getUserProperties().get(HeraldConfigurator.ADMISSION);
        }
        // Used once, here: let go of it (and of the handshake's headers it holds) for the connection's life.
        if (verdict != null) {
            config.getUserProperties().remove(HeraldConfigurator.ADMISSION, verdict);
            session.getUserProperties().remove(HeraldConfigurator.ADMISSION, verdict);
        }
        if (!(verdict instanceof Admission admission)) {
            LOG.error("no admission for session {}: the endpoint was not created by Herald's configurator",
                    session.getId());
            WebSocketTransport.closeSession(session, CloseReason.INTERNAL.code(), CloseReason.INTERNAL.reason());
            return;
        }
        if (!admission.accepted()) {
            WebSocketTransport.closeSession(session, admission.closeCode(), admission.reason());
            return;
        }
        WebSocketTransport transport = new WebSocketTransport(session, control);
        ConnectionHandle h = hub.gateway().open(admission, transport);
        handle = h;
        int maxFrame = hub.maxFrameBytes();
        Input input = new Input(transport.readAhead(), h);
        // measures every message against the hub's limit; on Tomcat it also puts messages together from the
        // parts Tomcat hands over (Tomcat would keep a message buffer as large as the limit for the session's
        // life, see TOMCAT_PART_SIZE), so only a message being read costs memory
        MessageParts parts = new MessageParts(maxFrame);
        // once the transport is closing (a frame refused as too large), later messages are not the hub's
        if (isTomcat(session)) {
            session.addMessageHandler(String.class, (String part, boolean last) -> {
                if (!transport.closing()) {
                    take(parts.text(part, last), transport, input, h);
                }
            });
            session.addMessageHandler(byte[].class, (byte[] part, boolean last) -> {
                if (!transport.closing()) {
                    take(parts.binary(part, last), transport, input, h);
                }
            });
        } else {
            session.addMessageHandler(String.class, text -> {
                if (!transport.closing()) {
                    take(parts.text(text, true), transport, input, h);
                }
            });
            session.addMessageHandler(byte[].class, bytes -> {
                if (!transport.closing()) {
                    take(parts.binary(bytes, true), transport, input, h);
                }
            });
        }
        session.addMessageHandler(PongMessage.class, pong -> {
            input.before(pong.getApplicationData().remaining());
            h.onActivity();
            input.after();
        });
    }

    /**
     * Hands a whole message within the hub's limit to the hub, or closes with 1009 {@code too-large} for one
     * above it.
     *
     * @param message what {@link MessageParts} answered: a {@code String}, a {@code byte[]},
     *     {@link MessageParts#TOO_LARGE}, or {@code null} for nothing yet (a part of a message)
     */
    private static void take(Object message, WebSocketTransport transport, Input input, ConnectionHandle h) {
        if (message instanceof String text) {
            input.before(text);
            h.onText(text);
            input.after();
        } else if (message instanceof byte[] bytes) {
            input.before(bytes.length);
            h.onBinary(bytes);
            input.after();
        } else if (message == MessageParts.TOO_LARGE) {
            transport.close(CloseReason.TOO_LARGE.code(), CloseReason.TOO_LARGE.reason());
        }
    }

    /** @return whether Tomcat serves the session */
    private static boolean isTomcat(Session session) {
        return session.getClass().getName().startsWith(TOMCAT_PACKAGE);
    }

    /**
     * Where the container says whether the client has sent more than the message being handled (Jetty: see
     * {@link WebSocketTransport#readAhead}): the hub then holds the answers back and writes them together
     * after the last of those messages, as on Jetty's core API. Used by the thread handling the session's
     * messages, one at a time.
     */
    static final class Input {
        private final IntPredicate moreAfter;
        private final ConnectionHandle handle;
        private boolean more;
        private boolean holding;

        /**
         * @param moreAfter counts a message of so many bytes; says whether the client has sent more than it;
         *     {@code null} where the container cannot tell, which makes every call here do nothing
         * @param handle the hub's handle
         */
        Input(IntPredicate moreAfter, ConnectionHandle handle) {
            this.moreAfter = moreAfter;
            this.handle = handle;
        }

        /** Before handing a text message over: holds the hub's writes while more follows. */
        void before(String text) {
            if (moreAfter != null) {
                before((int) FrameSize.utf8Length(text, Integer.MAX_VALUE));
            }
        }

        /** Before handing a message over: holds the hub's writes while more follows. */
        void before(int payloadBytes) {
            if (moreAfter == null) {
                return;
            }
            more = moreAfter.test(payloadBytes);
            if (more) {
                // asked at every message, since the hub's timer may have ended the hold
                holding = true;
                handle.holdWrites();
            }
        }

        /** After handing it over: the hub writes what it held once the last message that was read is handled. */
        void after() {
            if (holding && !more) {
                holding = false;
                handle.flushWrites();
            }
        }
    }

    private void applyLimits(Session session) {
        int maxFrame = hub.maxFrameBytes();
        long sendTimeout = SessionLimits.sendTimeoutMs(hub.heartbeat());
        int buffer = isTomcat(session) ? Math.min(maxFrame, TOMCAT_PART_SIZE) : maxFrame;
        session.setMaxTextMessageBufferSize(buffer);
        session.setMaxBinaryMessageBufferSize(buffer);
        long idle = SessionLimits.minIdleTimeoutMs(hub.heartbeat());
        long current = session.getMaxIdleTimeout();
        if (current > 0 && current < idle) {
            session.setMaxIdleTimeout(idle);
        }
        session.getAsyncRemote().setSendTimeout(sendTimeout);
        if (!session.getClass().getName().startsWith(JettyFrameWriter.JETTY_PACKAGE)) {
            // Tomcat reads it; Jetty does not, so Jetty's sessions are spared the entry
            session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, sendTimeout);
        }
    }

    @Override
    public void onClose(Session session, jakarta.websocket.CloseReason closeReason) {
        handle.onClosed(closeReason.getCloseCode().getCode(), closeReason.getReasonPhrase());
    }

    /**
     * An error the container reports: usually a broken connection or a protocol violation, after which
     * the container closes the session itself and calls {@link #onClose} with the real code. As a safety
     * net a control thread then closes the session (1011 {@code internal}) if it is still open, and tells
     * the hub that the connection ended abnormally (1006, never sent on the wire); the hub ignores that if
     * {@code onClose} came first.
     */
    @Override
    public void onError(Session session, Throwable cause) {
        LOG.debug("WebSocket error on {}", session.getId(), cause);
        ConnectionHandle h = handle;
        h.onClosed(1006, "transport-error");
        control.close(() -> WebSocketTransport.closeSession(session, CloseReason.INTERNAL.code(),
                CloseReason.INTERNAL.reason()), true);
    }
}
