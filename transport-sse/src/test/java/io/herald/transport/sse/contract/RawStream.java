package io.herald.transport.sse.contract;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.SocketFactory;

/**
 * An HTTP/1.1 client on a plain socket that reads a stream's bytes exactly as they arrive and fails on any
 * framing error: a line not ended by CRLF, a chunk size that is not bare hex, a chunk whose data is not
 * followed by CRLF, or a last chunk with trailers. One connection, any number of requests in turn, so a
 * test can check the connection is still usable after a stream ended.
 */
public final class RawStream implements AutoCloseable {
    /** A response's status and headers (names in lower case). */
    public record Head(int status, List<Map.Entry<String, String>> headers) {
        /** @return every value of a header, in order */
        public List<String> values(String name) {
            return headers.stream().filter(h -> h.getKey().equals(name)).map(Map.Entry::getValue).toList();
        }

        /** @return whether the body is chunked */
        public boolean chunked() {
            return values("transfer-encoding").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final String host;
    private Head head;
    /** Body text received and not yet parsed into events. */
    private final StringBuilder text = new StringBuilder();
    private boolean ended;
    /** The last chunk's data was read, the CRLF after it not yet. */
    private boolean crlfDue;

    private RawStream(Socket socket, String host) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.host = host;
    }

    /**
     * @param server any address on the server; its host and port are used
     * @param sockets makes the socket: plain, or TLS
     * @return a connected client
     */
    public static RawStream connect(URI server, SocketFactory sockets) throws IOException {
        return connect(server, sockets, 0);
    }

    /**
     * @param server any address on the server; its host and port are used
     * @param sockets makes the socket: plain, or TLS
     * @param receiveBufferBytes the socket's receive buffer, set before it connects; 0 for the default
     * @return a connected client
     */
    public static RawStream connect(URI server, SocketFactory sockets, int receiveBufferBytes) throws IOException {
        Socket s = sockets.createSocket();
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5000);
        s.setSoTimeout(10_000);
        return new RawStream(s, server.getHost() + ":" + server.getPort());
    }

    /**
     * Sends a {@code GET} and reads the status line and headers.
     *
     * @param uri the stream's address with its query
     * @param extraHeaders request header lines, such as {@code "Connection: close"}
     * @return the response head
     */
    public Head get(URI uri, String... extraHeaders) throws IOException {
        send(uri, extraHeaders);
        return head();
    }

    /**
     * Sends a {@code GET} and reads nothing.
     *
     * @param uri the stream's address with its query
     * @param extraHeaders request header lines, such as {@code "Connection: close"}
     */
    public void send(URI uri, String... extraHeaders) throws IOException {
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host
                + "\r\nAccept: text/event-stream\r\n");
        for (String h : extraHeaders) {
            request.append(h).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Reads the status line and headers of the response to the request sent last.
     *
     * @return the response head
     */
    public Head head() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ")) {
            throw new AssertionError("not an HTTP/1.1 status line: " + status);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.add(Map.entry(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim()));
        }
        head = new Head(Integer.parseInt(status.substring(9, 12)), headers);
        text.setLength(0);
        ended = false;
        crlfDue = false;
        return head;
    }

    /**
     * @return the next event of the stream (comments skipped), or {@code null} when the response ended first
     * @throws java.net.SocketTimeoutException when nothing arrives for 10 s
     */
    public SseClient.Event next() throws IOException {
        while (true) {
            int end = text.indexOf("\n\n");
            while (end >= 0) {
                String block = text.substring(0, end);
                text.delete(0, end + 2);
                SseClient.Event e = event(block);
                if (e != null) {
                    return e;
                }
                end = text.indexOf("\n\n");
            }
            if (ended || !readBody()) {
                return null;
            }
        }
    }

    /** @param timeout how long a read may wait for the next bytes before it fails with a timeout */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** @return whether the response ended (after {@link #next} returned {@code null}) */
    public boolean ended() {
        return ended;
    }

    /** @return whether the server closed the connection: a read finds its end */
    public boolean connectionClosed() throws IOException {
        return in.read() < 0;
    }

    /** Reads one chunk (or, for a body delimited by the connection's end, what is there); false at the end. */
    private boolean readBody() throws IOException {
        if (!head.chunked()) {
            byte[] buffer = new byte[8192];
            int n = in.read(buffer);
            if (n < 0) {
                ended = true;
                return false;
            }
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            return true;
        }
        if (crlfDue) {
            // a chunk's data and the CRLF after it may arrive apart (Jetty sends the CRLF with the next chunk)
            int cr = in.read();
            int lf = cr < 0 ? -1 : in.read();
            if (lf < 0) {
                throw new EOFException("connection ended after a chunk's data");
            }
            if (cr != '\r' || lf != '\n') {
                throw new AssertionError("chunk data not followed by CRLF but by " + cr + "," + lf);
            }
            crlfDue = false;
        }
        String size = line();
        if (!size.matches("[0-9a-fA-F]{1,8}")) {
            throw new AssertionError("malformed chunk size line: '" + size + "'");
        }
        int n = Integer.parseInt(size, 16);
        if (n == 0) {
            String trailer = line();
            if (!trailer.isEmpty()) {
                throw new AssertionError("unexpected trailer after the last chunk: '" + trailer + "'");
            }
            ended = true;
            return false;
        }
        byte[] data = in.readNBytes(n);
        if (data.length < n) {
            throw new EOFException("connection ended inside a chunk");
        }
        crlfDue = true;
        text.append(new String(data, StandardCharsets.UTF_8));
        return true;
    }

    /** Parses one event block as {@code EventSource} does (ids, names and data); {@code null} for comments. */
    private static SseClient.Event event(String block) {
        String id = null;
        String name = null;
        StringBuilder data = null;
        for (String line : block.split("\n")) {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
        return data == null ? null : new SseClient.Event(id, name, data.toString());
    }

    /** One line, which must end with CRLF; the CRLF is not returned. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection ended mid-line: '" + b.toString(StandardCharsets.US_ASCII) + "'");
            }
            if (c == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new AssertionError("CR not followed by LF in '" + b.toString(StandardCharsets.US_ASCII) + "'");
                }
                return b.toString(StandardCharsets.US_ASCII);
            }
            b.write(c);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
