package io.herald.transport.jakarta.internal;

import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an upgraded connection, now. The servlet API offers only {@link WebConnection#close()}, which on
 * Tomcat closes the two streams and leaves the socket to the container's next event on it: after a close
 * frame the client's answer or its end of the TCP connection is that event, but a client that stopped
 * reading sends neither, and Tomcat gives upgraded connections no timeout. So on Tomcat the socket itself
 * is closed too, through the socket wrapper its output stream holds (found by reflection once per class;
 * Tomcat 10.1 and 11 keep it in a field named {@code socketWrapper} with a public {@code close()}, which also
 * releases the connection's processor and destroys the upgrade handler). Elsewhere, or if Tomcat ever
 * changes that, closing the streams is all that is done, and a warning says so once.
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
                warn(e);
                return null;
            }
        }
    };

    private UpgradeSockets() {
    }

    /** Closes the connection's streams and, on Tomcat, its socket. Never throws. */
    static void abort(WebConnection connection) {
        Object out = null;
        try {
            out = connection.getOutputStream();
        } catch (Exception e) {
            LOG.debug("no output stream to close", e);
        }
        try {
            connection.close();
        } catch (Exception e) {
            LOG.debug("closing an upgraded connection failed", e);
        }
        Field wrapper = out == null ? null : SOCKET_WRAPPER.get(out.getClass());
        if (wrapper == null) {
            return;
        }
        try {
            Object socket = wrapper.get(out);
            Method close = socket.getClass().getMethod("close");
            close.invoke(socket);
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e);
        }
    }

    private static void warn(Exception e) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("Cannot close Tomcat's socket of an upgraded connection ({}); a client that stops reading keeps"
                    + " its socket until it reads or goes away", e.toString());
        }
    }
}
