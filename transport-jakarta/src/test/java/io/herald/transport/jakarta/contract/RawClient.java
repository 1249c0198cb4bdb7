package io.herald.transport.jakarta.contract;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

/**
 * A WebSocket client on a plain socket (RFC 6455, client side only), for what the JDK client cannot do: it
 * never answers pings, it reads only when told to (so a test can stop reading and let TCP push back), and it
 * shows the raw HTTP status of a refused handshake. Masks with a seeded {@link Random}.
 */
public final class RawClient implements AutoCloseable {
    /** Continuation frame opcode: the next fragment of a message. */
    public static final int CONTINUATION = 0x0;
    /** Text frame opcode. */
    public static final int TEXT = 0x1;
    /** Close frame opcode. */
    public static final int CLOSE = 0x8;
    /** Ping frame opcode. */
    public static final int PING = 0x9;
    /** Opcode of a pong frame. */
    public static final int PONG = 0xA;

    /**
     * One frame as received.
     *
     * @param opcode the opcode
     * @param payload the unmasked payload
     */
    public record Frame(int opcode, byte[] payload) {
        /** @return the payload as UTF-8 text */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return the close code of a close frame; 1005 when it carries none */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        /** @return the close reason of a close frame */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Random random = new Random(42);
    private final int status;
    private final String head;

    private RawClient(Socket socket, DataInputStream in, int status, String head) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.status = status;
        this.head = head;
    }

    /**
     * Opens the connection and performs the handshake.
     *
     * @param uri a {@code ws://} address
     * @param headers extra request headers
     * @param receiveBuffer the socket's receive buffer in bytes (set before connecting); 0 for the default
     * @return the client; check {@link #status()} for 101
     * @throws IOException if the connection fails
     */
    public static RawClient connect(URI uri, Map<String, String> headers, int receiveBuffer) throws IOException {
        return connect(uri, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), headers,
                receiveBuffer);
    }

    /**
     * Opens the connection and performs the handshake with a request target of the caller's, which may be
     * one {@link URI} refuses to hold (a malformed {@code %}-escape).
     *
     * @param uri the server's {@code ws://} address; only its host and port are used
     * @param target the request target: path and query, sent as given
     * @param headers extra request headers
     * @param receiveBuffer the socket's receive buffer in bytes (set before connecting); 0 for the default
     * @return the client; check {@link #status()} for 101
     * @throws IOException if the connection fails
     */
    public static RawClient connect(URI uri, String target, Map<String, String> headers, int receiveBuffer)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) JdkClient.TIMEOUT.toMillis());
        s.setSoTimeout((int) JdkClient.TIMEOUT.toMillis());
        byte[] nonce = new byte[16];
        new Random(7).nextBytes(nonce);
        StringBuilder req = new StringBuilder()
                .append("GET ").append(target)
                .append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort())
                .append("\r\nUpgrade: ").append(headers.getOrDefault("Upgrade", "websocket"))
                .append("\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
        headers.forEach((k, v) -> {
            if (!k.equals("Upgrade")) {
                req.append(k).append(": ").append(v).append("\r\n");
            }
        });
        req.append("\r\n");
        s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        String head = readHead(in);
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        return new RawClient(s, in, status, head);
    }

    private static String readHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /**
     * Reads the body of a refused handshake, as long as its {@code Content-Length} says.
     *
     * @return the body, or an empty string when the answer has no {@code Content-Length}
     */
    public String body() throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                byte[] body = new byte[Integer.parseInt(line.substring(colon + 1).trim())];
                in.readFully(body);
                return new String(body, StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    /** @return the HTTP status of the handshake answer (101 when upgraded) */
    public int status() {
        return status;
    }

    /** @param text sent as one masked text frame */
    public void sendText(String text) throws IOException {
        sendFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends one masked frame as it is: a fragment, a control frame, or bytes that are not valid UTF-8.
     *
     * @param opcode the frame's opcode ({@code 0} continuation, {@link #TEXT}, {@link #PING}, ...)
     * @param fin whether it is the last frame of its message
     * @param payload the payload
     * @throws IOException if the write fails
     */
    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        sendBytes(frame(opcode, fin, payload, false));
    }

    /**
     * Sends one whole frame without a mask, which RFC 6455 forbids a client.
     *
     * @param opcode the frame's opcode
     * @param payload the payload, at most 125 bytes
     * @throws IOException if the write fails
     */
    public void sendUnmasked(int opcode, byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("at most 125 bytes, was " + payload.length);
        }
        byte[] f = new byte[2 + payload.length];
        f[0] = (byte) (0x80 | opcode);
        f[1] = (byte) payload.length;
        System.arraycopy(payload, 0, f, 2, payload.length);
        sendBytes(f);
    }

    /**
     * Encodes one masked frame.
     *
     * @param opcode the frame's opcode
     * @param fin whether it is the last frame of its message
     * @param payload the payload
     * @param longerLength give the length in the next longer form than RFC 6455 allows (two bytes for a length
     *     below 126, eight for one below 65,536), which servers accept
     * @return the frame's bytes
     */
    public byte[] frame(int opcode, boolean fin, byte[] payload, boolean longerLength) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126 && !longerLength) {
            f.write(0x80 | n);
        } else if (n < 65_536 && !(longerLength && n >= 126)) {
            f.write(0x80 | 126);
            f.write(n >>> 8);
            f.write(n & 0xFF);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) n >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        f.write(mask, 0, 4);
        for (int i = 0; i < n; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    /**
     * Writes bytes as they are, in one write: several frames at once, or part of one.
     *
     * @param bytes the bytes
     * @throws IOException if the write fails
     */
    public void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * @param timeout how long to wait for the frame to start
     * @return the next frame, or {@code null} if none started in time
     * @throws EOFException when the server dropped the connection
     */
    public Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        int b0;
        try {
            b0 = in.read();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (b0 < 0) {
            throw new EOFException("server dropped the connection");
        }
        socket.setSoTimeout((int) JdkClient.TIMEOUT.toMillis());
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /**
     * Reads and discards frames until the server's close frame.
     *
     * @param timeout how long to keep reading in all
     * @return the close frame, or {@code null} when the connection ended without one
     */
    public Frame readUntilClose(Duration timeout) throws IOException {
        return readUntilClose(timeout, f -> { });
    }

    /**
     * Reads frames until the server's close frame, handing each one before it to {@code each}.
     *
     * @param timeout how long to keep reading in all
     * @param each sees every frame before the close
     * @return the close frame, or {@code null} when the connection ended without one
     */
    public Frame readUntilClose(Duration timeout, java.util.function.Consumer<Frame> each) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Frame f;
            try {
                f = read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            } catch (EOFException | java.net.SocketException e) {
                return null;
            }
            if (f != null && f.opcode() == CLOSE) {
                return f;
            }
            if (f != null) {
                each.accept(f);
            }
        }
        throw new AssertionError("no close within " + timeout);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
