package io.herald.transport.jakarta.internal;

import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a closing upgraded connection's socket ends. The servlet API offers only
 * {@link WebConnection#close()}, which on Tomcat closes the two streams and leaves the socket to the
 * container's next event on it: after a close frame, the client's answer or its end of the TCP connection
 * is that event, but a client that stopped reading sends neither, and Tomcat gives upgraded connections no
 * timeout. So, once a connection starts closing, {@link #limit} gives Tomcat's socket a read and a write
 * timeout: Tomcat's poller then ends the socket itself, on its own threads, if the client neither reads nor
 * sends for that long. The socket wrapper is reached through the upgraded output stream (Tomcat 10.1 and 11
 * keep it in a field named {@code socketWrapper}, with public {@code setReadTimeout} and
 * {@code setWriteTimeout}), found by reflection once per class. On other containers, or should Tomcat change
 * that, nothing is set and a warning says so once: there the container's own timeouts end such sockets.
 */
final class UpgradeSockets {
    private static final Logger LOG = LoggerFactory.getLogger(UpgradeSockets.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final String TOMCAT_STREAM = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";
    private static final ClassValue<Field> SOCKET_WRAPPER = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            if (!type.getName().equals(TOMCAT_STREAM)) {
                return null;
            }
            try {
                Field f = type.getDeclaredField("socketWrapper");
                f.setAccessible(true);
                return f;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private UpgradeSockets() {
    }

    /**
     * Bounds how long a closing connection's socket may go without the client reading or sending. Never throws.
     *
     * @param connection the upgraded connection
     * @param timeoutMs the longest silence, in milliseconds
     */
    static void limit(WebConnection connection, long timeoutMs) {
        Object out;
        try {
            out = connection.getOutputStream();
        } catch (Exception e) {
            LOG.debug("no output stream", e);
            return;
        }
        Field wrapper = SOCKET_WRAPPER.get(out.getClass());
        if (wrapper == null) {
            warn(out.getClass().getName());
            return;
        }
        try {
            Object socket = wrapper.get(out);
            Method read = socket.getClass().getMethod("setReadTimeout", long.class);
            Method write = socket.getClass().getMethod("setWriteTimeout", long.class);
            read.invoke(socket, timeoutMs);
            write.invoke(socket, timeoutMs);
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e.toString());
        }
    }

    /** Closes the connection's streams; the container closes the socket. Never throws. */
    static void close(WebConnection connection) {
        try {
            connection.close();
        } catch (Exception e) {
            LOG.debug("closing an upgraded connection failed", e);
        }
    }

    private static void warn(String what) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("Cannot bound how long a closing WebSocket's socket stays open ({}): a client that stops"
                    + " reading keeps its socket until the container's own timeouts end it", what);
        }
    }
}
