package io.herald.transport.sse.contract;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stream client that sends its request and then does not read: a socket with a 4 KiB receive buffer, so
 * TCP pushes back on the server as soon as the kernel buffers fill. A test may later make it read everything
 * ({@link #readToEnd}).
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

    private final Socket socket;

    private StalledReader(Socket socket) {
        this.socket = socket;
    }

    /**
     * @param uri the stream's address with its query
     * @return the client, its request sent
     */
    public static StalledReader open(URI uri) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        OutputStream out = s.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new StalledReader(s);
    }

    /**
     * Reads the whole response now: the status line and headers, then the body (chunked or up to the end of
     * the connection), until the response ends or nothing arrives for {@code quiet}.
     *
     * @param quiet how long a read may wait for the next bytes
     * @return the events and how the stream ended
     */
    public Read readToEnd(Duration quiet) throws IOException {
        socket.setSoTimeout((int) quiet.toMillis());
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String end;
        try {
            boolean chunked = false;
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                String lower = line.toLowerCase(Locale.ROOT);
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            end = chunked ? chunks(in, body) : rest(in, body);
        } catch (SocketTimeoutException e) {
            end = "timeout";
        } catch (EOFException e) {
            end = "eof";
        } catch (IOException e) {
            end = "reset";
        }
        return new Read(events(body.toString(StandardCharsets.UTF_8)), end);
    }

    private static String chunks(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = line(in);
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                return "last-chunk";
            }
            byte[] chunk = in.readNBytes(n);
            body.writeBytes(chunk);
            if (chunk.length < n) {
                return "eof";
            }
            line(in);
        }
    }

    private static String rest(InputStream in, ByteArrayOutputStream body) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            body.write(buffer, 0, n);
        }
        return "eof";
    }

    /** One line without its CRLF; at the end of the connection, an {@link EOFException}. */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection ended mid-line");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** Parses {@code text/event-stream} text into its dispatched events (ids, names and data only). */
    private static List<SseClient.Event> events(String text) {
        List<SseClient.Event> events = new ArrayList<>();
        String id = null;
        String event = null;
        StringBuilder data = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new SseClient.Event(id, event, data.toString()));
                }
                id = null;
                event = null;
                data = null;
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
        return events;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
