package io.herald.transport.sse.internal;

import io.herald.CloseReason;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE stream as a {@link Transport}: writes each batch with the servlet's non-blocking output, as one
 * {@code write} and one {@code flush}, and completes the hub's callback once the container has taken the
 * bytes (at once, or from {@link #onWritePossible} after {@code isReady()} said no). Where the container
 * offers a {@link ChunkOutput} (Jetty over HTTP/1.1), every batch after the first, which commits the
 * response, goes to it instead: one write of one chunk straight to the connection.
 *
 * <p>Threads: {@link #send} runs on hub threads (publishers, the scheduler, the thread that completed the
 * previous send); {@link #onWritePossible} and the {@link AsyncListener} methods on container threads;
 * {@link #close} on any. The hub keeps one send in flight, so this class holds at most one batch. One
 * thread at a time writes: a thread becomes the writer by taking {@code writable} (or a parked callback)
 * under {@code lock}, which guards state only and is never held during I/O or callbacks.
 */
final class SseTransport implements Transport, WriteListener, AsyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(SseTransport.class);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);

    /** What the writer does when {@code onWritePossible} wakes it. */
    private enum Next { FLUSH, COMPLETE }

    /**
     * A container's way to write the body past its servlet output, once the response is committed: each
     * call writes one HTTP chunk. One write at a time; nothing else writes to the connection meanwhile.
     */
    interface ChunkOutput {
        /**
         * Writes the parts as one chunk, as far as the socket takes them now.
         *
         * @param parts the chunk's bytes, in order; read until the write ends
         * @return {@code true} when the whole chunk was written; {@code false} when the rest must be written
         *     with {@link #writeRest}, next
         * @throws IOException when the write fails
         */
        boolean write(byte[][] parts) throws IOException;

        /**
         * Writes what the socket did not take of the chunk {@link #write} began, as the client reads.
         *
         * @param done told once, when every byte is written or the write failed (possibly during this call)
         */
        void writeRest(SendCallback done);

        /**
         * Ends the connection at once: a write in flight fails. For a stream that ends while its write waits
         * for a client that stopped reading, before the container completes the response.
         *
         * @param cause why
         */
        void abort(Throwable cause);
    }

    private final Object lock = new Object();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicBoolean notified = new AtomicBoolean();
    private byte[] preamble;
    private volatile ConnectionHandle handle;
    private volatile AsyncContext context;
    private volatile ServletOutputStream out;

    private boolean started;
    private boolean writable;
    /** Lock: a batch is being written to {@link #chunks}. */
    private boolean chunkWriting;
    /** Lock: the chunk output to switch to once the response is committed; {@code null} once switched. */
    private ChunkOutput chunksAfterCommit;
    /** The chunk output every batch goes to, once the response is committed; {@code null} before or without. */
    private volatile ChunkOutput chunks;
    private boolean closeRequested;
    private int pendingCloseCode;
    private String pendingCloseReason;
    private byte[] pending;
    private SendCallback pendingCallback;
    /**
     * Guards every call on the output stream against the container's end of the request: once
     * {@code onComplete} or {@code onError} ran, Tomcat recycles the stream for the next request, so nothing may
     * touch it afterwards. The calls it covers are non-blocking (the stream is in non-blocking mode), so it
     * never waits on a client; an outcome a chunk write tells inside it is held back until it is released
     * ({@link HeldBackCallback}), so no callback runs under it.
     */
    private final Object streamGuard = new Object();
    /** Set under {@link #streamGuard} when the container ended the request. */
    private boolean dead;
    private SendCallback parked;
    private Next parkedNext;

    /** @param preamble bytes written before the first batch (the {@code retry:} line) */
    SseTransport(byte[] preamble) {
        this.preamble = preamble;
    }

    @Override
    public Framing framing() {
        return Framing.SSE;
    }

    @Override
    public void send(List<OutboundFrame> frames, SendCallback callback) {
        ChunkOutput direct = chunks;
        if (direct != null) {
            sendChunk(direct, frames, callback);
            return;
        }
        byte[] bytes = concat(frames);
        boolean closed;
        synchronized (lock) {
            closed = closeRequested || completed.get();
            if (!closed && !writable) {
                pending = bytes;
                pendingCallback = callback;
                return;
            }
            writable = false;
        }
        if (closed) {
            callback.failed(new IOException("stream closed"));
            return;
        }
        write(bytes, callback);
    }

    private void sendChunk(ChunkOutput direct, List<OutboundFrame> frames, SendCallback callback) {
        byte[][] parts = new byte[frames.size()][];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = bytes(frames.get(i));
        }
        boolean closed;
        synchronized (lock) {
            closed = closeRequested || completed.get();
            if (!closed) {
                writable = false;
                chunkWriting = true;
            }
        }
        if (closed) {
            callback.failed(new IOException("stream closed"));
            return;
        }
        // the write starts under the guard, so the container cannot end the request (and the connection serve
        // the next one) between the check and the write; Jetty may tell the outcome of a write it finishes later
        // inside write, on this thread, and that outcome runs the hub's callbacks and the application's
        // listeners: it is held back until the guard is released. A client that keeps up takes the chunk at
        // once, and then no callback is made at all
        HeldBackCallback outcome = null;
        try {
            synchronized (streamGuard) {
                if (dead) {
                    throw new IOException("stream ended");
                }
                if (!direct.write(parts)) {
                    outcome = new HeldBackCallback(chunkEnded(callback));
                    direct.writeRest(outcome);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (outcome == null) {
                chunkFailed(callback, e);
                return;
            }
            outcome.failed(e);
        }
        if (outcome != null) {
            outcome.release();
        } else {
            chunkWritten(callback);
        }
    }

    /** @return what to tell when a chunk's write ends later: lets the next batch go, or fails the stream */
    private SendCallback chunkEnded(SendCallback callback) {
        return new SendCallback() {
            @Override
            public void completed() {
                chunkWritten(callback);
            }

            @Override
            public void failed(Throwable cause) {
                chunkFailed(callback, cause);
            }
        };
    }

    private void chunkWritten(SendCallback callback) {
        synchronized (lock) {
            chunkWriting = false;
            writable = true;
        }
        callback.completed();
    }

    private void chunkFailed(SendCallback callback, Throwable cause) {
        synchronized (lock) {
            chunkWriting = false;
        }
        fail(callback, cause);
    }

    /** @return a frame's bytes: an event's shared encoding, which the container only reads, or a keep-alive */
    private static byte[] bytes(OutboundFrame f) {
        return f.kind() == OutboundFrame.Kind.PING ? PING : f.bytes();
    }

    private static byte[] concat(List<OutboundFrame> frames) {
        if (frames.size() == 1) {
            // the common fan-out case: the event's shared frame, not copied
            return bytes(frames.get(0));
        }
        int size = 0;
        for (OutboundFrame f : frames) {
            size += bytes(f).length;
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (OutboundFrame f : frames) {
            byte[] b = bytes(f);
            System.arraycopy(b, 0, bytes, at, b.length);
            at += b.length;
        }
        return bytes;
    }

    /**
     * Attaches the started async request. Called once on the container thread of the GET, after the hub
     * opened the connection.
     *
     * @param chunkOutput where batches go once the first one committed the response, or {@code null} to
     *     write every batch with the servlet output
     * @return {@code false} when the hub closed the connection before (over a limit, shutting down): the
     *     caller answers with a status instead, and {@link #closeCode()} says why
     */
    boolean start(ConnectionHandle handle, AsyncContext context, ServletOutputStream out, ChunkOutput chunkOutput) {
        this.handle = handle;
        this.context = context;
        this.out = out;
        synchronized (lock) {
            if (closeRequested) {
                return false;
            }
            started = true;
            chunksAfterCommit = chunkOutput;
        }
        out.setWriteListener(this);
        return true;
    }

    /**
     * @return the code of a close the hub asked for before the stream started; 0 if none
     */
    int closeCode() {
        synchronized (lock) {
            return closeRequested ? pendingCloseCode : 0;
        }
    }

    /** @return the reason of a close the hub asked for before the stream started */
    String closeReason() {
        synchronized (lock) {
            return pendingCloseReason;
        }
    }

    @Override
    public void onWritePossible() {
        SendCallback callback;
        Next next;
        byte[] bytes = null;
        synchronized (lock) {
            if (parked != null) {
                callback = parked;
                next = parkedNext;
                parked = null;
                parkedNext = null;
            } else if (pending != null) {
                callback = pendingCallback;
                next = null;
                bytes = pending;
                pending = null;
                pendingCallback = null;
            } else {
                writable = true;
                return;
            }
        }
        if (bytes != null) {
            write(bytes, callback);
            return;
        }
        try {
            if (next == Next.FLUSH) {
                flush(out);
            }
            afterFlush(callback);
        } catch (IOException | RuntimeException e) {
            fail(callback, e);
        }
    }

    private void write(byte[] bytes, SendCallback callback) {
        try {
            ServletOutputStream o = out;
            byte[] first = preamble;
            if (first != null) {
                preamble = null;
                byte[] joined = new byte[first.length + bytes.length];
                System.arraycopy(first, 0, joined, 0, first.length);
                System.arraycopy(bytes, 0, joined, first.length, bytes.length);
                bytes = joined;
            }
            synchronized (streamGuard) {
                if (dead) {
                    throw new IOException("stream ended");
                }
                o.write(bytes);
            }
            if (!ready(callback, Next.FLUSH)) {
                return;
            }
            flush(o);
            afterFlush(callback);
        } catch (IOException | RuntimeException e) {
            fail(callback, e);
        }
    }

    private void flush(ServletOutputStream o) throws IOException {
        synchronized (streamGuard) {
            if (dead) {
                throw new IOException("stream ended");
            }
            o.flush();
        }
    }

    private boolean isReady() {
        synchronized (streamGuard) {
            return !dead && out.isReady();
        }
    }

    private boolean isDead() {
        synchronized (streamGuard) {
            return dead;
        }
    }

    /** The container ended the request: from now on nothing touches its stream. */
    private void markDead() {
        synchronized (streamGuard) {
            dead = true;
        }
    }

    private void afterFlush(SendCallback callback) {
        if (!ready(callback, Next.COMPLETE)) {
            return;
        }
        ChunkOutput switchTo;
        synchronized (lock) {
            writable = true;
            switchTo = chunksAfterCommit;
            chunksAfterCommit = null;
        }
        if (switchTo != null) {
            // the container has written the headers and the first chunk and holds nothing back: from the next
            // batch on, nothing but this transport writes until the request completes
            chunks = switchTo;
        }
        callback.completed();
    }

    /**
     * Parks the callback before asking {@code isReady()}: when it says no, the container calls
     * {@link #onWritePossible} later (possibly at once, on another thread), which finds it there. Should a
     * container call {@code onWritePossible} unasked and take the callback meanwhile, this thread stops, so
     * the callback still completes once.
     *
     * @return whether the writer may go on now
     */
    private boolean ready(SendCallback callback, Next next) {
        synchronized (lock) {
            parked = callback;
            parkedNext = next;
        }
        if (!isReady()) {
            if (isDead()) {
                // the container ended the request: whichever of us and onComplete/onError takes the parked
                // callback fails it, exactly once
                SendCallback mine = null;
                synchronized (lock) {
                    if (parked == callback) {
                        mine = callback;
                        parked = null;
                        parkedNext = null;
                    }
                }
                if (mine != null) {
                    fail(mine, new IOException("stream ended"));
                }
            }
            return false;
        }
        synchronized (lock) {
            if (parked != callback) {
                return false;
            }
            parked = null;
            parkedNext = null;
        }
        return true;
    }

    private void fail(SendCallback callback, Throwable cause) {
        LOG.debug("SSE write failed", cause);
        synchronized (lock) {
            writable = false;
            parked = null;
            pending = null;
            pendingCallback = null;
        }
        if (callback != null) {
            callback.failed(cause);
        }
        complete();
        notifyClosed(CloseReason.NORMAL, "write-failed");
    }

    @Override
    public void onError(Throwable t) {
        fail(takeCallback(), t);
    }

    /**
     * Takes the callback of a send that is parked or waiting to start, so exactly one party completes it:
     * a writer that comes back finds it gone.
     */
    private SendCallback takeCallback() {
        synchronized (lock) {
            SendCallback callback = parked != null ? parked : pendingCallback;
            parked = null;
            parkedNext = null;
            pending = null;
            pendingCallback = null;
            return callback;
        }
    }

    /** The container ends every stream with {@code onComplete} or {@code onError}, passed on as {@code onClosed}. */
    @Override
    public boolean reportsClose() {
        return true;
    }

    @Override
    public void close(int code, String reason) {
        synchronized (lock) {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            pendingCloseCode = code;
            pendingCloseReason = reason;
        }
        // a send that waited for the stream to start (the connected frame) fails here too: the stream
        // never starts once closed, so nobody else would complete it
        SendCallback stranded = takeCallback();
        if (stranded != null) {
            stranded.failed(new IOException("stream closed with a send pending"));
        }
        boolean wasStarted;
        synchronized (lock) {
            wasStarted = started;
        }
        if (wasStarted) {
            complete();
        }
    }

    private void complete() {
        AsyncContext c = context;
        if (c != null && completed.compareAndSet(false, true)) {
            boolean stalled;
            synchronized (lock) {
                stalled = chunkWriting;
            }
            if (stalled) {
                // the container's last chunk must not meet our write, nor wait for a client that stopped reading
                chunks.abort(new IOException("stream ended while a write waited for the client"));
            }
            // a writer still inside write or flush (a deadline closing a stream whose client still reads) holds
            // the guard: wait for it to leave, and let no write start after, so that the container finishing
            // the response never meets one of ours (its output is not thread-safe)
            markDead();
            try {
                c.complete();
            } catch (IllegalStateException e) {
                LOG.debug("async context already completed by the container", e);
            }
        }
    }

    private void notifyClosed(int code, String reason) {
        ConnectionHandle h = handle;
        if (h != null && notified.compareAndSet(false, true)) {
            h.onClosed(code, reason);
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        markDead();
        completed.set(true);
        SendCallback stranded = takeCallback();
        if (stranded != null) {
            stranded.failed(new IOException("stream completed with a send pending"));
        }
        notifyClosed(CloseReason.NORMAL, "disconnected");
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        complete();
        notifyClosed(CloseReason.NORMAL, "idle-timeout");
    }

    @Override
    public void onError(AsyncEvent event) {
        markDead();
        Throwable t = event.getThrowable();
        onError(t != null ? t : new IOException("async request failed"));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // The stream starts async once; nothing to re-register.
    }
}
