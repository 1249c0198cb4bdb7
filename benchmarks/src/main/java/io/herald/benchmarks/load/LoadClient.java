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
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Many WebSocket or SSE subscribers, spread over a few selector threads (each connection stays on one).
 * Chosen over the JDK's {@code java.net.http.WebSocket}
 * and the Tyrus client because it receives the most frames per core: no thread hand-off, no per-message
 * {@code String}, and the sequence number and send time are read straight out of the frame bytes. It
 * answers pings, checks every connection's sequence for gaps and duplicates, and records publish-to-receive
 * latency in microseconds. In SSE mode each connection is a {@code GET} of an event stream (chunked or
 * not); an event is a block ending with a blank line, and one without a {@code "seq"} (the
 * {@code connected} event, keep-alive comments) is not counted. With {@link Framing#SOCKET_IO} the frames carry
 * Engine.IO 4 / Socket.IO 5 packets: the client connects the default namespace, subscribes once that is
 * acknowledged, answers the server's pings and counts only {@code 42[…]} event packets.
 */
final class LoadClient implements AutoCloseable {
    /** How a subscriber connects and how its bytes are framed. */
    enum Mode {
        /** WebSocket upgrade, then text frames. */
        WEBSOCKET,
        /** An HTTP {@code GET} answered with an SSE stream. */
        SSE
    }

    /** How messages sit in WebSocket frames. */
    enum Framing {
        /** Each text (or binary) frame is one message as it is. */
        PLAIN,
        /**
         * Engine.IO 4 packets ({@code 0} open, {@code 2} ping, {@code 3} pong, {@code 4} message) carrying
         * Socket.IO 5 packets ({@code 40} connect, {@code 42[…]} event).
         */
        SOCKET_IO
    }

    /** Engine.IO's pong, the answer to a server's ping ({@code 2}), and Socket.IO's connect to {@code /}. */
    private static final byte[] EIO_PONG = {'3'};
    private static final byte[] SIO_CONNECT = {'4', '0'};

    /** The longest message taken in fragments. */
    private static final int MAX_MESSAGE = 16 * 1024 * 1024;
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    /** Herald's answer to a {@code subscribe}: the subscription is in place once it arrives. */
    private static final byte[] SUBSCRIBED = "\"type\":\"subscribed\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT = "\"t\":".getBytes(StandardCharsets.US_ASCII);

    private final Reader[] readers;
    private final List<Conn> conns = new ArrayList<>();
    /** Each event's first and last delivery, or {@code null} when the scenario does not track them. */
    private volatile EventSpread spread;
    /** Events received, each once per connection: a duplicate is counted in {@link #duplicated} only. */
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();
    /** Why the first connection the server ended or refused ended, for the report. */
    volatile String firstFailure;
    private final long epochNanos;
    private final Mode mode;
    private final String subprotocol;
    private final Framing framing;
    private volatile boolean running = true;

    /** A selector, the thread that serves it, and the latencies its connections recorded. */
    private static final class Reader {
        final Selector selector;
        final Histogram latency = new Histogram();
        Thread thread;

        Reader() throws IOException {
            selector = Selector.open();
        }
    }

    /** One subscriber connection and its parse state. */
    private static final class Conn {
        final SocketChannel ch;
        /** Where this connection's latencies go: its reader's, so each histogram has one writer. */
        final Histogram latency;
        SelectionKey key;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        final String subscribe;
        boolean upgraded;
        /**
         * Upgraded (WebSocket), answered (SSE), for Herald's WebSocket subscribed (its {@code subscribed} answer
         * came), or, for Socket.IO, connected to the namespace and subscribed.
         */
        volatile boolean ready;
        long lastSeq = -1;
        /** WebSocket: the fragments of a message read so far, or {@code null} between messages. */
        byte[] fragments;
        int fragmentsLength;
        /** SSE: the de-chunked body not yet parsed into events. */
        ByteBuffer body;
        /** SSE: how much of {@link #body} was already searched for an event's end. */
        int scanned;
        boolean chunked;
        /** SSE chunked: bytes left in the current chunk; -1 expects a size line, -2 the CRLF after data. */
        int chunkLeft = -1;

        Conn(SocketChannel ch, Histogram latency, String subscribe) {
            this.ch = ch;
            this.latency = latency;
            this.subscribe = subscribe;
        }
    }

    /**
     * @param epochNanos the {@code System.nanoTime()} origin the publisher's {@code t} values count from
     * @param mode WebSocket or SSE subscribers
     * @param subprotocol the WebSocket subprotocol to offer, or {@code null}
     * @param framing how messages sit in WebSocket frames
     * @param threads how many selector threads share the connections
     */
    LoadClient(long epochNanos, Mode mode, String subprotocol, Framing framing, int threads) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("a load client needs at least one thread, not " + threads);
        }
        this.epochNanos = epochNanos;
        this.mode = mode;
        this.subprotocol = subprotocol;
        this.framing = framing;
        readers = new Reader[threads];
        for (int i = 0; i < threads; i++) {
            readers[i] = new Reader();
        }
    }

    /**
     * Opens connections and subscribes each; returns once all are upgraded (WebSocket; for Herald's protocol,
     * its {@code subscribe} answered; for Socket.IO, connected to the namespace and subscribed) or answered with
     * a stream (SSE), or one of them ends (refused, a subscribe answered with an error), or the deadline passes.
     *
     * @param pathFor the request path (with query) of connection {@code i}
     * @param subscribeFor the text message connection {@code i} sends once upgraded; {@code null} (or a
     *     {@code null} result) sends nothing
     */
    void connect(InetSocketAddress server, IntFunction<String> pathFor, int count, IntFunction<String> subscribeFor,
            long timeoutMs) throws IOException {
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.connect(server);
            Reader reader = readers[i % readers.length];
            Conn c = new Conn(ch, reader.latency, subscribeFor == null ? null : subscribeFor.apply(i));
            String host = "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n";
            String req;
            if (mode == Mode.SSE) {
                req = "GET " + pathFor.apply(i) + " HTTP/1.1\r\n" + host + "Accept: text/event-stream\r\n\r\n";
            } else {
                byte[] key = new byte[16];
                ThreadLocalRandom.current().nextBytes(key);
                req = "GET " + pathFor.apply(i) + " HTTP/1.1\r\n" + host
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                        + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n") + "\r\n";
            }
            c.out.add(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            c.key = ch.register(reader.selector, SelectionKey.OP_CONNECT, c);
            conns.add(c);
        }
        for (int i = 0; i < readers.length; i++) {
            Selector selector = readers[i].selector;
            Thread thread = new Thread(() -> loop(selector), "load-client-" + i);
            thread.setDaemon(true);
            readers[i].thread = thread;
            thread.start();
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        // a connection that ended already makes the run fail: no point waiting out the deadline
        while (upgradedCount() < count && closedByServer.get() == 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @return whether the subscribers speak Herald's protocol, which answers each {@code subscribe} */
    private boolean heraldProtocol() {
        return "herald.v1".equals(subprotocol);
    }

    int upgradedCount() {
        int n = 0;
        for (Conn c : conns) {
            if (c.ready) {
                n++;
            }
        }
        return n;
    }

    /** Serves one selector's connections; {@code select} with an action keeps no selected-key set. */
    private void loop(Selector selector) {
        try {
            while (running) {
                selector.select(this::ready, 100);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ready(SelectionKey k) {
        Conn c = (Conn) k.attachment();
        try {
            if (k.isConnectable() && c.ch.finishConnect()) {
                k.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            }
            if (k.isValid() && k.isWritable()) {
                flush(c, k);
            }
            if (k.isValid() && k.isReadable()) {
                read(c);
            }
        } catch (IOException e) {
            k.cancel();
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing after a failure: the failure is what gets reported
            }
            if (closedByServer.incrementAndGet() == 1) {
                firstFailure = e.toString();
            }
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
        flush(c, c.key);
        if (!c.out.isEmpty()) {
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private void read(Conn c) throws IOException {
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
            String expected = mode == Mode.SSE ? "HTTP/1.1 200" : "HTTP/1.1 101";
            if (!head.startsWith(expected)) {
                throw new IOException("refused: " + head.lines().findFirst().orElse(""));
            }
            c.in.position(end);
            c.upgraded = true;
            if (mode == Mode.SSE) {
                c.chunked = head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
                c.body = ByteBuffer.allocate(256 * 1024);
                c.ready = true;
            } else if (framing == Framing.PLAIN) {
                if (c.subscribe != null) {
                    send(c, WsFrames.text(c.subscribe));
                }
                // Herald answers the subscribe: until then, an event published could miss this subscriber, and
                // the warm-up would end with deliveries missing that no one lost
                c.ready = c.subscribe == null || !heraldProtocol();
            }
            // Socket.IO: ready once the server's open packet was answered and the namespace connected
        }
        long now = System.nanoTime();
        if (mode == Mode.SSE) {
            readStream(c, now);
            c.in.compact();
            return;
        }
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
            boolean fin = (b0 & 0x80) != 0;
            if (c.fragments != null || (!fin && (opcode == WsFrames.TEXT || opcode == WsFrames.BINARY))) {
                // a message in fragments (Tomcat splits a long one at its 8 KiB buffer): put it together first
                if (opcode == WsFrames.TEXT || opcode == WsFrames.BINARY || opcode == WsFrames.CONTINUATION) {
                    fragment(c, from, to, fin, now);
                    c.in.position(to);
                    continue;
                }
            }
            if (framing == Framing.SOCKET_IO && opcode == WsFrames.TEXT) {
                onEngineIo(c, c.in, from, to, now);
            } else if (opcode == WsFrames.TEXT || opcode == WsFrames.BINARY) {
                // (Nchan sends a message published as application/json in a binary frame)
                if (!c.ready) {
                    answered(c, c.in.array(), from, to);
                }
                onText(c, c.in, from, to, now);
            } else if (opcode == WsFrames.PING) {
                byte[] payload = new byte[(int) len];
                c.in.get(from, payload);
                send(c, WsFrames.clientFrame(WsFrames.PONG, payload));
            } else if (opcode == WsFrames.CLOSE) {
                int code = len >= 2 ? c.in.getShort(from) & 0xFFFF : 1005;
                String reason = len > 2
                        ? new String(c.in.array(), from + 2, to - from - 2, StandardCharsets.UTF_8) : "";
                throw new IOException("server closed: " + code + (reason.isEmpty() ? "" : " " + reason));
            }
            c.in.position(to);
        }
        c.in.compact();
    }

    /**
     * One fragment of a message: kept until the last, which hands the whole message on (at most
     * {@link #MAX_MESSAGE} bytes; a longer one fails the connection).
     */
    private void fragment(Conn c, int from, int to, boolean fin, long now) throws IOException {
        int n = to - from;
        if (c.fragments == null) {
            c.fragments = new byte[Math.max(1_024, n * 2)];
            c.fragmentsLength = 0;
        }
        if (c.fragmentsLength + n > MAX_MESSAGE) {
            throw new IOException("a fragmented message longer than " + MAX_MESSAGE + " bytes");
        }
        if (c.fragmentsLength + n > c.fragments.length) {
            c.fragments = Arrays.copyOf(c.fragments, Math.min(MAX_MESSAGE, Math.max(c.fragments.length * 2,
                    c.fragmentsLength + n)));
        }
        c.in.get(from, c.fragments, c.fragmentsLength, n);
        c.fragmentsLength += n;
        if (fin) {
            byte[] message = c.fragments;
            int length = c.fragmentsLength;
            c.fragments = null;
            if (framing == Framing.SOCKET_IO) {
                onEngineIo(c, ByteBuffer.wrap(message, 0, length), 0, length, now);
            } else {
                if (!c.ready) {
                    answered(c, message, 0, length);
                }
                onText(c, message, 0, length, now);
            }
        }
    }

    /** SSE: moves the body out of its chunks (if chunked) and counts every complete event. */
    private void readStream(Conn c, long now) throws IOException {
        ByteBuffer in = c.in;
        while (in.hasRemaining()) {
            if (!c.chunked || c.chunkLeft > 0) {
                int n = Math.min(in.remaining(), c.body.remaining());
                if (c.chunked) {
                    n = Math.min(n, c.chunkLeft);
                    c.chunkLeft -= n;
                    if (c.chunkLeft == 0) {
                        c.chunkLeft = -2;
                    }
                }
                c.body.put(c.body.position(), in, in.position(), n);
                c.body.position(c.body.position() + n);
                in.position(in.position() + n);
                events(c, now);
                if (!c.body.hasRemaining()) {
                    throw new IOException("an SSE event larger than " + c.body.capacity() + " bytes");
                }
            } else if (c.chunkLeft == -2) {
                if (in.remaining() < 2) {
                    return;
                }
                in.position(in.position() + 2);
                c.chunkLeft = -1;
            } else {
                int lineEnd = -1;
                for (int i = in.position(); i + 1 < in.limit(); i++) {
                    if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                        lineEnd = i;
                        break;
                    }
                }
                if (lineEnd < 0) {
                    return;
                }
                int size = 0;
                for (int i = in.position(); i < lineEnd && in.get(i) != ';'; i++) {
                    size = size * 16 + Character.digit(in.get(i), 16);
                }
                in.position(lineEnd + 2);
                if (size == 0) {
                    throw new IOException("the server ended the stream");
                }
                c.chunkLeft = size;
            }
        }
    }

    /**
     * Counts the complete events at the start of the body and keeps the incomplete rest. Reads the backing
     * array and resumes where the previous call stopped, looking eight bytes at a time for the blank line that
     * ends an event and searching each event once for its numbers: this parse is on
     * its reader's thread, which serves many connections, and when it is slow the events wait in the
     * client's socket buffers instead of the server's queues, which changes how the server batches (and so
     * what it is measured at).
     */
    private void events(Conn c, long now) {
        ByteBuffer b = c.body;
        byte[] a = b.array();
        int end = b.position();
        int start = scanEvents(a, c.scanned, end, (from, to) -> onText(c, a, from, to, now));
        if (start > 0) {
            System.arraycopy(a, start, a, 0, end - start);
            b.position(end - start);
        }
        c.scanned = end - start;
    }

    /** Takes each event a scan finds. */
    interface EventSink {
        /**
         * @param from where the event starts
         * @param to where the blank line after it starts
         */
        void event(int from, int to);
    }

    /**
     * Finds the events in {@code a[0, end)}, each ended by {@code "\n\n"}, and hands each to the sink. Finds
     * each {@code '\n'} eight bytes at a time ({@link WsFrames#indexOf}) and checks the byte after it. The
     * bytes kept from the previous scan hold no complete pair, so a pair ends at {@code scanned} or later and
     * the scan starts at the byte before it.
     *
     * @param scanned how many bytes at the start of {@code a} the previous scan kept
     * @return where the incomplete rest starts (the end of the last event's blank line, or 0)
     */
    static int scanEvents(byte[] a, int scanned, int end, EventSink sink) {
        int start = 0;
        int i = Math.max(0, scanned - 1);
        while (true) {
            int nl = WsFrames.indexOf((byte) '\n', a, i, end);
            if (nl < 0 || nl + 1 >= end) {
                return start;
            }
            if (a[nl + 1] == '\n') {
                sink.event(start, nl);
                start = nl + 2;
                i = start;
            } else {
                i = nl + 1;
            }
        }
    }

    /**
     * A message before the connection is ready: Herald's answer to its {@code subscribe}. A refusal ends the
     * connection, which ends the wait for the others (see {@link #connect}).
     */
    private static void answered(Conn c, byte[] buf, int from, int to) throws IOException {
        if (WsFrames.indexAfter(SUBSCRIBED, buf, from, to) >= 0) {
            c.ready = true;
        } else if (WsFrames.indexAfter(ERROR, buf, from, to) >= 0) {
            throw new IOException("the subscribe was refused: " + new String(buf, from, to - from,
                    StandardCharsets.UTF_8));
        }
    }

    /** Socket.IO: one Engine.IO packet in {@code buf[from, to)}. */
    private void onEngineIo(Conn c, ByteBuffer buf, int from, int to, long now) throws IOException {
        if (to - from < 1) {
            return;
        }
        byte type = buf.get(from);
        byte sub = to - from > 1 ? buf.get(from + 1) : 0;
        if (type == '4' && sub == '2') {
            // 42["event",{…"seq":n,"t":µs…}]: the payload's JSON sits in the frame as it was published
            onText(c, buf, from, to, now);
        } else if (type == '2') {
            send(c, WsFrames.clientFrame(WsFrames.TEXT, EIO_PONG));
        } else if (type == '0') {
            send(c, WsFrames.clientFrame(WsFrames.TEXT, SIO_CONNECT));
        } else if (type == '4' && sub == '0') {
            // the namespace is connected; an event sent before this would have been dropped
            if (c.subscribe != null) {
                send(c, WsFrames.text(c.subscribe));
            }
            c.ready = true;
        } else if (type == '4' && (sub == '4' || sub == '1')) {
            throw new IOException("Socket.IO refused or ended the connection: "
                    + StandardCharsets.UTF_8.decode(buf.slice(from, to - from)));
        } else if (type == '1') {
            throw new IOException("Engine.IO close");
        }
    }

    private void onText(Conn c, ByteBuffer buf, int from, int to, long now) {
        onText(c, buf.array(), buf.arrayOffset() + from, buf.arrayOffset() + to, now);
    }

    /** Counts every event in a message: one, or several in a Herald {@code batch} frame. */
    private void onText(Conn c, byte[] buf, int from, int to, long now) {
        for (int at = WsFrames.indexAfter(SEQ, buf, from, to); at >= 0; at = WsFrames.indexAfter(SEQ, buf, at, to)) {
            onEvent(c, buf, at, to, now);
        }
    }

    /** One event, whose sequence number starts at {@code at}. */
    private void onEvent(Conn c, byte[] buf, int at, int to, long now) {
        long seq = WsFrames.digits(buf, at, to);
        if (seq < 0) {
            return;
        }
        if (seq <= c.lastSeq) {
            // not a delivery: counting it would hide a lost event from the missing count
            duplicated.incrementAndGet();
            return;
        }
        if (c.lastSeq >= 0 && seq > c.lastSeq + 1) {
            lost.addAndGet(seq - c.lastSeq - 1);
        }
        c.lastSeq = seq;
        // published as {"seq":n,"t":µs,…}: the time follows the sequence number, so the search goes on from there
        long sentMicros = WsFrames.digits(buf, WsFrames.indexAfter(SENT, buf, at, to), to);
        if (sentMicros >= 0) {
            long micros = (now - epochNanos) / 1_000 - sentMicros;
            c.latency.record(micros);
            EventSpread s = spread;
            if (s != null) {
                s.record(seq, micros);
            }
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

    /** @return every reader's latencies merged: a copy, read after the run */
    Histogram latency() {
        Histogram all = new Histogram();
        for (Reader r : readers) {
            all.add(r.latency);
        }
        return all;
    }

    /** Forgets the latencies recorded so far (after a warm-up), with the caveat of {@link Histogram#reset()}. */
    void resetLatency() {
        for (Reader r : readers) {
            r.latency.reset();
        }
    }

    /** Starts tracking each event's first and last delivery (every subscriber receives every event). */
    void trackEvents(EventSpread s) {
        spread = s;
    }

    @Override
    public void close() throws IOException {
        running = false;
        for (Reader r : readers) {
            if (r.thread != null) {
                try {
                    r.thread.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (Conn c : conns) {
            c.ch.close();
        }
        for (Reader r : readers) {
            r.selector.close();
        }
    }
}
