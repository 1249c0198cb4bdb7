package io.herald.transport.sse.contract;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;

/**
 * A stream client that sends its request and then does not read: a socket with a 4 KiB receive buffer, so
 * TCP pushes back on the server as soon as the kernel buffers fill. A test may later make it read everything
 * ({@link #readToEnd}), as strictly as {@link RawStream} reads.
 */
public final class StalledReader implements AutoCloseable {
    /**
     * What a late read found.
     *
     * @param events the stream's events, parsed as {@code EventSource} does
     * @param end how the stream ended: {@code "last-chunk"} (the response ended cleanly), {@code "eof"} (the
     *     server closed the connection), {@code "reset"} (it was reset) or {@code "timeout"} (it had not ended)
     */
    public record Read(List<SseClient.Event> events, String end) {
        /** @return the last event, or {@code null} when there was none */
        public SseClient.Event last() {
            return events.isEmpty() ? null : events.get(events.size() - 1);
        }
    }

    private final RawStream stream;

    private StalledReader(RawStream stream) {
        this.stream = stream;
    }

    /**
     * @param uri the stream's address with its query
     * @return the client, its request sent
     */
    public static StalledReader open(URI uri) throws IOException {
        RawStream stream = RawStream.connect(uri, SocketFactory.getDefault(), 4096);
        stream.send(uri);
        return new StalledReader(stream);
    }

    /**
     * Reads the whole response now: the status line and headers, then the body (chunked or up to the end of
     * the connection), until the response ends or nothing arrives for {@code quiet}.
     *
     * @param quiet how long a read may wait for the next bytes
     * @return the events and how the stream ended
     */
    public Read readToEnd(Duration quiet) throws IOException {
        stream.readTimeout(quiet);
        List<SseClient.Event> events = new ArrayList<>();
        String end;
        try {
            boolean chunked = stream.head().chunked();
            for (SseClient.Event e = stream.next(); e != null; e = stream.next()) {
                events.add(e);
            }
            end = chunked ? "last-chunk" : "eof";
        } catch (SocketTimeoutException e) {
            end = "timeout";
        } catch (EOFException e) {
            end = "eof";
        } catch (IOException e) {
            end = "reset";
        }
        return new Read(events, end);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
