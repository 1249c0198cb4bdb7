package io.herald.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
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
 * sends it so its own connection never backs up.
 */
final class Publisher implements AutoCloseable {
    private final Socket socket;
    private final long epochNanos;
    private final String pad;
    private final Thread reader;

    /** How events are sent. */
    enum Format {
        /** Herald's {@code publish} message over a WebSocket to {@code /ws}. */
        HERALD,
        /** The event's data as a text frame over a WebSocket to {@code /loop}. */
        RAW_WEBSOCKET,
        /** {@code POST /pub/<topic>} with the data as the body, pipelined on one keep-alive connection. */
        HTTP_POST
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
        InputStream in = socket.getInputStream();
        if (format != Format.HTTP_POST) {
            upgrade(format == Format.HERALD ? "/ws" : "/loop", in);
        }
        reader = new Thread(() -> {
            byte[] sink = new byte[64 * 1024];
            try {
                while (in.read(sink) >= 0) {
                    // answers and keep-alives are not needed by the load test
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

    /** Publishes one event to a topic with a sequence number. */
    void publish(String topic, long seq) throws IOException {
        long micros = (System.nanoTime() - epochNanos) / 1_000;
        String data = "{\"seq\":" + seq + ",\"t\":" + micros + ",\"pad\":\"" + pad + "\"}";
        byte[] out;
        switch (format) {
            case HERALD -> {
                ByteBuffer frame = WsFrames.text("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":" + data + "}");
                socket.getOutputStream().write(frame.array(), 0, frame.limit());
                return;
            }
            case RAW_WEBSOCKET -> {
                ByteBuffer frame = WsFrames.text(data);
                socket.getOutputStream().write(frame.array(), 0, frame.limit());
                return;
            }
            default -> {
                byte[] body = data.getBytes(StandardCharsets.UTF_8);
                byte[] head = ("POST /pub/" + topic + " HTTP/1.1\r\nHost: " + host
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                out = new byte[head.length + body.length];
                System.arraycopy(head, 0, out, 0, head.length);
                System.arraycopy(body, 0, out, head.length, body.length);
            }
        }
        socket.getOutputStream().write(out);
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
        while (System.nanoTime() - start < durationNanos) {
            if (ratePerSecond > 0) {
                long due = start + (long) ((n - first) * 1e9 / ratePerSecond);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            } else {
                while (undelivered.applyAsLong(n) > window && System.nanoTime() - start < durationNanos) {
                    LockSupport.parkNanos(20_000);
                }
            }
            publish(topicFor.apply(n), seqFor.applyAsLong(n));
            n++;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
