package io.herald.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;

/**
 * A client that publishes {@code {"seq":n,"t":µs,"pad":…}} events, either at a fixed rate or as
 * fast as the subscribers keep up (a window of undelivered events). Reads and discards what the server
 * sends it so its own connection never backs up (answering Socket.IO's pings, which it must).
 */
final class Publisher implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final long epochNanos;
    /** The publishing thread's: see {@link #maxLagNanos()}. */
    private long maxLagNanos;
    private final String pad;
    private final Thread reader;

    /** How events are sent. */
    enum Format {
        /** Herald's {@code publish} message over a WebSocket to {@code /ws}. */
        HERALD,
        /** The event's data as a text frame over a WebSocket to {@code /loop}. */
        RAW_WEBSOCKET,
        /** {@code POST /pub/<topic>} with the data as the body, pipelined on one keep-alive connection. */
        HTTP_POST,
        /**
         * Socket.IO over Engine.IO 4's WebSocket transport: the event {@code 42["publish","<topic>",<data>]},
         * the data as a JSON object (so it reaches subscribers as the same JSON text, not an escaped string).
         */
        SOCKETIO
    }

    private final Format format;
    private final String host;

    Publisher(InetSocketAddress server, Format format, long epochNanos, int payloadBytes) throws IOException {
        this.epochNanos = epochNanos;
        this.format = format;
        this.host = server.getHostString() + ":" + server.getPort();
        this.pad = "x".repeat(Math.max(0, payloadBytes - 40));
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        switch (format) {
            case HERALD -> upgrade("/ws", in);
            case RAW_WEBSOCKET -> upgrade("/loop", in);
            case SOCKETIO -> upgrade(Peer.SOCKETIO_PATH, in);
            default -> {
                // HTTP: no handshake
            }
        }
        DataInputStream frames = new DataInputStream(new BufferedInputStream(in));
        if (format == Format.SOCKETIO) {
            socket.setSoTimeout(30_000);
            connectNamespace(frames);
            socket.setSoTimeout(0);
        }
        reader = new Thread(() -> {
            byte[] sink = new byte[64 * 1024];
            try {
                if (format == Format.SOCKETIO) {
                    // the server ends a connection that misses pingInterval + pingTimeout worth of pongs
                    for (String packet = readText(frames); packet != null; packet = readText(frames)) {
                        if (packet.equals("2")) {
                            write(WsFrames.text("3"));
                        }
                    }
                } else {
                    while (in.read(sink) >= 0) {
                        // answers and keep-alives are not needed by the load test
                    }
                }
            } catch (IOException e) {
                // the socket closed
            }
        }, "publisher-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void upgrade(String path, InputStream in) throws IOException {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String req = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        socket.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during upgrade");
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head);
        }
    }

    /** Socket.IO: answers the server's open packet with a connect to {@code /} and waits for the answer. */
    private void connectNamespace(DataInputStream frames) throws IOException {
        String open = readText(frames);
        if (open == null || !open.startsWith("0")) {
            throw new IOException("expected Engine.IO's open packet, got " + open);
        }
        write(WsFrames.text("40"));
        for (String packet = readText(frames); ; packet = readText(frames)) {
            if (packet == null) {
                throw new IOException("closed before the namespace was connected");
            } else if (packet.startsWith("40")) {
                return;
            } else if (packet.startsWith("44")) {
                throw new IOException("Socket.IO refused the connection: " + packet);
            } else if (packet.equals("2")) {
                write(WsFrames.text("3"));
            }
        }
    }

    /**
     * Reads server frames (unmasked) until a text frame, answering nothing else.
     *
     * @return the text, or {@code null} when the connection closed
     */
    private static String readText(DataInputStream in) throws IOException {
        while (true) {
            int b0;
            try {
                b0 = in.readUnsignedByte();
            } catch (java.io.EOFException e) {
                return null;
            }
            int b1 = in.readUnsignedByte() & 0x7F;
            long len = b1 == 126 ? in.readUnsignedShort() : b1 == 127 ? in.readLong() : b1;
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            int opcode = b0 & 0x0F;
            if (opcode == WsFrames.CLOSE) {
                return null;
            }
            if (opcode == WsFrames.TEXT) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }
    }

    /** Writes a whole frame or request; the publishing thread and the reader (pongs) both write. */
    private void write(ByteBuffer frame) throws IOException {
        write(frame.array(), frame.limit());
    }

    private void write(byte[] bytes, int length) throws IOException {
        synchronized (out) {
            out.write(bytes, 0, length);
        }
    }

    /**
     * Publishes one event to a topic with a sequence number.
     *
     * @param stampNanos the instant its latency is measured from: when it was due, at a fixed rate
     */
    void publish(String topic, long seq, long stampNanos) throws IOException {
        long micros = (stampNanos - epochNanos) / 1_000;
        String data = "{\"seq\":" + seq + ",\"t\":" + micros + ",\"pad\":\"" + pad + "\"}";
        switch (format) {
            case HERALD -> {
                write(WsFrames.text("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":" + data + "}"));
            }
            case RAW_WEBSOCKET -> {
                write(WsFrames.text(data));
            }
            case SOCKETIO -> {
                write(WsFrames.text("42[\"publish\",\"" + topic + "\"," + data + "]"));
            }
            default -> {
                byte[] body = data.getBytes(StandardCharsets.UTF_8);
                byte[] head = ("POST /pub/" + topic + " HTTP/1.1\r\nHost: " + host
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] request = new byte[head.length + body.length];
                System.arraycopy(head, 0, request, 0, head.length);
                System.arraycopy(body, 0, request, head.length, body.length);
                write(request, request.length);
            }
        }
    }

    /**
     * Publishes until {@code durationNanos} passed: at {@code ratePerSecond}, or, when it is 0, whenever fewer
     * than {@code window} events are still undelivered to the slowest expected count.
     *
     * @param topicFor the topic of event {@code n}
     * @param seqFor the sequence number of event {@code n} within its topic
     * @param undelivered given the events published so far, how many deliveries are still outstanding
     * @param first the number of the first event (sequence numbers continue across runs)
     * @return the number after the last event published
     */
    long run(long durationNanos, double ratePerSecond, long window, LongFunction<String> topicFor,
            LongUnaryOperator seqFor, LongUnaryOperator undelivered, long first) throws IOException {
        long start = System.nanoTime();
        long n = first;
        maxLagNanos = 0;
        while (System.nanoTime() - start < durationNanos) {
            long stamp;
            if (ratePerSecond > 0) {
                long due = start + (long) ((n - first) * 1e9 / ratePerSecond);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                // latency counts from when the event was due, so a publisher that woke late (its own pause, or
                // a core busy with the last burst) does not hide the wait from the figures
                stamp = due;
                maxLagNanos = Math.max(maxLagNanos, System.nanoTime() - due);
            } else {
                while (undelivered.applyAsLong(n) > window && System.nanoTime() - start < durationNanos) {
                    LockSupport.parkNanos(20_000);
                }
                stamp = System.nanoTime();
            }
            publish(topicFor.apply(n), seqFor.applyAsLong(n), stamp);
            n++;
        }
        return n;
    }

    /** @return how late, at most, the last {@link #run} at a fixed rate sent an event after it was due */
    long maxLagNanos() {
        return maxLagNanos;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
