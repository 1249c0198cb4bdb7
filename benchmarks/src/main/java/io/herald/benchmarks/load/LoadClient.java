package io.herald.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Many WebSocket subscribers on one selector thread. Chosen over the JDK's {@code java.net.http.WebSocket}
 * and the Tyrus client because it receives the most frames per core: no thread hand-off, no per-message
 * {@code String}, and the sequence number and send time are read straight out of the frame bytes. It
 * answers pings, checks every connection's sequence for gaps and duplicates, and records publish-to-receive
 * latency in microseconds.
 */
final class LoadClient implements AutoCloseable {
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT = "\"t\":".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector = Selector.open();
    private final List<Conn> conns = new ArrayList<>();
    private final Histogram latency = new Histogram();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();
    private final long epochNanos;
    private volatile boolean running = true;
    private Thread thread;

    /** One subscriber connection and its parse state. */
    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        final String subscribe;
        boolean upgraded;
        long lastSeq = -1;

        Conn(SocketChannel ch, String subscribe) {
            this.ch = ch;
            this.subscribe = subscribe;
        }
    }

    /**
     * @param epochNanos the {@code System.nanoTime()} origin the publisher's {@code t} values count from
     */
    LoadClient(long epochNanos) throws IOException {
        this.epochNanos = epochNanos;
    }

    /**
     * Opens connections and subscribes each; returns once all are upgraded or the deadline passes.
     *
     * @param subscribeFor the subscribe request for connection {@code i}
     */
    void connect(InetSocketAddress server, String path, int count, IntFunction<String> subscribeFor, long timeoutMs)
            throws IOException {
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.connect(server);
            Conn c = new Conn(ch, subscribeFor.apply(i));
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            String req = "GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: herald.v1\r\n\r\n";
            c.out.add(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ch.register(selector, SelectionKey.OP_CONNECT, c);
            conns.add(c);
        }
        thread = new Thread(this::loop, "load-client");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (upgradedCount() < count && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    int upgradedCount() {
        int n = 0;
        for (Conn c : conns) {
            if (c.upgraded) {
                n++;
            }
        }
        return n;
    }

    private void loop() {
        try {
            while (running) {
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    Conn c = (Conn) k.attachment();
                    try {
                        if (k.isConnectable() && c.ch.finishConnect()) {
                            k.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                        }
                        if (k.isValid() && k.isWritable()) {
                            flush(c, k);
                        }
                        if (k.isValid() && k.isReadable()) {
                            read(c, k);
                        }
                    } catch (IOException e) {
                        k.cancel();
                        c.ch.close();
                        closedByServer.incrementAndGet();
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void flush(Conn c, SelectionKey k) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer b = c.out.peek();
            c.ch.write(b);
            if (b.hasRemaining()) {
                return;
            }
            c.out.poll();
        }
        k.interestOps(SelectionKey.OP_READ);
    }

    private void send(Conn c, ByteBuffer frame) throws IOException {
        c.out.add(frame);
        flush(c, c.ch.keyFor(selector));
        if (!c.out.isEmpty()) {
            c.ch.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private void read(Conn c, SelectionKey k) throws IOException {
        int n = c.ch.read(c.in);
        if (n < 0) {
            throw new IOException("closed");
        }
        c.in.flip();
        if (!c.upgraded) {
            int end = headerEnd(c.in);
            if (end < 0) {
                c.in.compact();
                return;
            }
            String head = new String(c.in.array(), 0, end, StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
            }
            c.in.position(end);
            c.upgraded = true;
            send(c, WsFrames.text(c.subscribe));
        }
        long now = System.nanoTime();
        while (c.in.remaining() >= 2) {
            int start = c.in.position();
            int b0 = c.in.get(start) & 0xFF;
            int b1 = c.in.get(start + 1) & 0x7F;
            int header = 2;
            long len = b1;
            if (b1 == 126) {
                if (c.in.remaining() < 4) {
                    break;
                }
                len = c.in.getShort(start + 2) & 0xFFFF;
                header = 4;
            } else if (b1 == 127) {
                if (c.in.remaining() < 10) {
                    break;
                }
                len = c.in.getLong(start + 2);
                header = 10;
            }
            if (c.in.remaining() < header + len) {
                break;
            }
            int from = start + header;
            int to = (int) (from + len);
            int opcode = b0 & 0x0F;
            if (opcode == WsFrames.TEXT) {
                onText(c, from, to, now);
            } else if (opcode == WsFrames.PING) {
                byte[] payload = new byte[(int) len];
                c.in.get(from, payload);
                send(c, WsFrames.clientFrame(WsFrames.PONG, payload));
            } else if (opcode == WsFrames.CLOSE) {
                throw new IOException("server closed");
            }
            c.in.position(to);
        }
        c.in.compact();
    }

    private void onText(Conn c, int from, int to, long now) {
        long seq = WsFrames.numberAfter(SEQ, c.in, from, to);
        if (seq < 0) {
            return;
        }
        long sentMicros = WsFrames.numberAfter(SENT, c.in, from, to);
        if (seq <= c.lastSeq) {
            duplicated.incrementAndGet();
        } else {
            if (c.lastSeq >= 0 && seq > c.lastSeq + 1) {
                lost.addAndGet(seq - c.lastSeq - 1);
            }
            c.lastSeq = seq;
        }
        if (sentMicros >= 0) {
            latency.record((now - epochNanos) / 1_000 - sentMicros);
        }
        delivered.incrementAndGet();
    }

    private static int headerEnd(ByteBuffer b) {
        for (int i = b.position(); i + 3 < b.limit(); i++) {
            if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** @return the last sequence number each connection saw, for counting events never received */
    long[] lastSeqs() {
        long[] out = new long[conns.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = conns.get(i).lastSeq;
        }
        return out;
    }

    Histogram latency() {
        return latency;
    }

    @Override
    public void close() throws IOException {
        running = false;
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Conn c : conns) {
            c.ch.close();
        }
        selector.close();
    }
}
