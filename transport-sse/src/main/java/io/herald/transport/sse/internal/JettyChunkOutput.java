package io.herald.transport.sse.internal;

import io.herald.spi.SendCallback;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A stream's body written as HTTP/1.1 chunks straight to Jetty's {@link EndPoint}, once Jetty committed the
 * response (status, headers and the first chunk) through the servlet output. At 20 events a second to
 * 1,000 streams every event is one write per stream, and Jetty's servlet output spends more on each than the
 * write itself: its output and channel state machines, their locks, and the callbacks they store into
 * long-lived objects, which G1 then refines (docs/benchmarks.md).
 *
 * <p>Jetty's chunk generator ends a chunk's data with its CRLF only when it writes the next chunk (or the last,
 * empty one), so each chunk here starts with that CRLF and leaves its own pending in turn: when the stream
 * ends, Jetty's last chunk closes ours. Only used where nothing else may transform or count the body: Jetty
 * 12 ee10, an HTTP/1.1 connection, and a response that neither a servlet filter nor a Jetty handler wraps.
 * The servlet asks Jetty to chunk ({@code Transfer-Encoding: chunked}), so a request's {@code Connection:
 * close} does not turn the body into one delimited by the end of the connection.
 *
 * <p>The hub has one send in flight per stream, so one write at a time reaches the endpoint; Jetty writes
 * to it again only once the stream's async request completes (the last chunk), after the last write here.
 */
final class JettyChunkOutput implements SseTransport.ChunkOutput {
    /** The package of Jetty 12's ee10 servlet request, checked before this class is loaded. */
    static final String JETTY_PACKAGE = "org.eclipse.jetty.ee10.servlet.";
    private static final String HTTP1_CONNECTION = "org.eclipse.jetty.server.internal.HttpConnection";
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** CRLF, at most eight hex digits, CRLF. */
    private static final int MAX_HEADER = 12;

    private final EndPoint endPoint;
    /** The chunk the socket did not take whole, from {@link #write} to {@link #writeRest}, on one thread. */
    private ByteBuffer[] rest;

    private JettyChunkOutput(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /**
     * @param request the stream's request, on the container thread of its {@code GET}
     * @param response its response, not yet committed
     * @return an output for the body, or {@code null} when the body must go through the servlet output
     */
    static SseTransport.ChunkOutput of(HttpServletRequest request, HttpServletResponse response) {
        ServletContextRequest servletRequest = ServletContextRequest.getServletContextRequest(request);
        if (servletRequest == null) {
            return null;
        }
        ConnectionMetaData meta = servletRequest.getConnectionMetaData();
        Connection connection = meta.getConnection();
        if (meta.getHttpVersion() != HttpVersion.HTTP_1_1 || connection == null
                || !connection.getClass().getName().equals(HTTP1_CONNECTION)) {
            return null;
        }
        ServletContextResponse servletResponse = servletRequest.getServletContextResponse();
        if (servletResponse.getServletApiResponse() != response
                || servletResponse.getWrapped() != Response.getOriginalResponse(servletResponse)) {
            // a filter or a handler (compression, statistics) sees the body: it must get every byte
            return null;
        }
        return new JettyChunkOutput(connection.getEndPoint());
    }

    /**
     * Writes the chunk with {@link EndPoint#flush}, on the caller's thread: a client that keeps up takes it
     * whole, and then Jetty's write flusher, its state changes (each a store into a long-lived object, a card
     * for G1 to refine) and its callback are skipped, as for the WebSocket frames of {@code EndPointWriter}.
     */
    @Override
    public boolean write(byte[][] parts) throws IOException {
        ByteBuffer[] buffers = new ByteBuffer[parts.length + 1];
        int length = 0;
        for (int i = 0; i < parts.length; i++) {
            buffers[i + 1] = ByteBuffer.wrap(parts[i]);
            length += parts[i].length;
        }
        if (length == 0) {
            // a chunk of size 0 would end the body
            return true;
        }
        buffers[0] = header(length);
        if (endPoint.flush(buffers)) {
            return true;
        }
        rest = buffers;
        return false;
    }

    /** Jetty writes the rest once the client reads, and tells {@code done}. */
    @Override
    public void writeRest(SendCallback done) {
        ByteBuffer[] buffers = rest;
        rest = null;
        endPoint.write(new Done(done), buffers);
    }

    @Override
    public void abort(Throwable cause) {
        endPoint.close(cause);
    }

    /** The CRLF that ends the previous chunk, then this chunk's size line. */
    private static ByteBuffer header(int length) {
        byte[] h = new byte[MAX_HEADER];
        int at = 0;
        h[at++] = '\r';
        h[at++] = '\n';
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 3) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            h[at++] = HEX[(length >>> shift) & 0xF];
        }
        h[at++] = '\r';
        h[at++] = '\n';
        return ByteBuffer.wrap(h, 0, at);
    }

    /** Jetty's callback for one write. */
    private static final class Done implements Callback {
        private final SendCallback done;

        Done(SendCallback done) {
            this.done = done;
        }

        @Override
        public void succeeded() {
            done.completed();
        }

        @Override
        public void failed(Throwable cause) {
            done.failed(cause);
        }
    }
}
