package io.herald.transport.jakarta.internal;

import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.WebSocketConnection;

/**
 * Writes a connection's frames straight to Jetty's {@link EndPoint}, already framed, instead of through
 * Jetty's frame pipeline. A server's frames are not masked, so a frame is a two- to ten-byte header and the
 * hub's bytes, the same for every recipient: it is built once per event
 * ({@link OutboundFrame#webSocketFrame}) and each recipient's batch is one gathering write of views of those
 * shared arrays. Jetty's pipeline spends, for every frame, a queue entry, three locks, two iterating
 * callbacks and a pooled header buffer, and every one of those stores into
 * long-lived objects is a card for G1's concurrent refinement: with one frame per write (an event every
 * 50 ms to 1,000 connections) that was about a third of the server's CPU (docs/benchmarks.md).
 *
 * <p>An endpoint takes one write at a time, so this writer must be the only one writing while it writes.
 * It carries everything the connection sends itself: the hub's batches (events, answers, keep-alive pings)
 * and the pongs that answer a client's pings; a write asked for while one is in flight waits here (the hub
 * has at most one batch in flight and the connection reads no frame while its pong waits, so at most two
 * wait). Closes go through Jetty's session, which keeps the close handshake: {@link #close} hands the
 * close to Jetty once no write is in flight, and no write starts after it. Jetty writes on its own only
 * to end a connection (answering a client's close, which {@link #whenIdle} holds back until the write in
 * flight is done, or a protocol error or its idle timeout); a write of ours that meets one of those fails,
 * and so does the connection, which was ending anyway.
 *
 * <p>A batch is first written with {@link EndPoint#flush}, on the caller's thread: a client that keeps up
 * takes it whole, and then nothing is allocated and nothing stored in long-lived objects (Jetty's write
 * flusher changes state twice per write, and each store into a long-lived object is a card for G1 to refine).
 * What the socket does not take goes through {@link EndPoint#write}, which tells when it is written. That
 * first attempt counts as a write in flight like any other. Unlike a write, it does not see a frame Jetty
 * is writing on its own: a batch flushed in the same instant as Jetty's own close may follow that close
 * frame instead of failing. Invalid UTF-8, which the connection finds itself, fails Jetty's frame callback
 * only through {@link #whenIdle}, so its 1007 waits for the write in flight. What Jetty finds while parsing
 * (1002, a frame over its own limits) and its idle timeout, a safety net behind the hub's own, close at
 * once and can meet a flush; the connection was ending anyway.
 *
 * <p>A write that waits for a client that stopped reading is bounded by the endpoint's idle timeout, which
 * {@link #close} lowers to the send timeout.
 */
final class EndPointWriter {
    private static final byte FIN_PING = (byte) 0x89;
    private static final byte FIN_PONG = (byte) 0x8A;
    /** An empty ping; only read. */
    private static final byte[] PING_FRAME = {FIN_PING, 0};

    private final CoreSession session;
    private final EndPoint endPoint;
    private final long sendTimeoutMs;

    // guarded by this
    private Job inFlight;
    /** A batch is being written with {@link EndPoint#flush}: a write in flight without a {@link Job}. */
    private boolean flushing;
    private Job waiting;
    private Job waiting2;
    /** No write starts any more. */
    private boolean closing;
    /** Runs once nothing is in flight, after {@link #closing} was set. */
    private Runnable idleAction;

    private EndPointWriter(CoreSession session, EndPoint endPoint, long sendTimeoutMs) {
        this.session = session;
        this.endPoint = endPoint;
        this.sendTimeoutMs = sendTimeoutMs;
    }

    /**
     * @param session an open session
     * @param sendTimeoutMs how long a write may wait for the client before a waiting close gives up on it
     * @return a writer, or {@code null} when frames must go through Jetty's pipeline: an extension was
     *     negotiated (it may change frames or keep state), or the session is not Jetty's own
     */
    static EndPointWriter of(CoreSession session, long sendTimeoutMs) {
        WebSocketConnection connection = JettyFrameWriter.directConnection(session);
        return connection == null ? null : new EndPointWriter(session, connection.getEndPoint(), sendTimeoutMs);
    }

    /**
     * Writes a batch of the hub's frames in one gathering write.
     *
     * @param batch the hub's frames, only valid during this call
     * @param done told once, when every byte is written or the write failed
     */
    void send(List<OutboundFrame> batch, SendCallback done) {
        ByteBuffer[] buffers = frames(batch);
        boolean now;
        synchronized (this) {
            now = !closing && inFlight == null && !flushing;
            if (now) {
                flushing = true;
            }
        }
        if (!now) {
            // behind another write (it waits), or refused once closing
            submit(new Job(buffers, done, null));
            return;
        }
        boolean all;
        try {
            all = endPoint.flush(buffers);
        } catch (IOException | RuntimeException e) {
            ended(null, done, e);
            return;
        }
        if (all) {
            ended(null, done, null);
            return;
        }
        // the socket took part of it: Jetty writes the rest once the client reads, and tells the job
        Job rest = new Job(buffers, done, null);
        synchronized (this) {
            flushing = false;
            inFlight = rest;
        }
        write(rest);
    }

    /**
     * Writes a pong.
     *
     * @param payload the ping's payload (at most 125 bytes, as Jetty's parser enforces); read during this call
     * @param then told when the pong is written or could not be
     */
    void pong(ByteBuffer payload, Callback then) {
        int n = payload == null ? 0 : payload.remaining();
        byte[] frame = new byte[2 + n];
        frame[0] = FIN_PONG;
        frame[1] = (byte) n;
        if (n > 0) {
            payload.slice().get(frame, 2, n);
        }
        submit(new Job(new ByteBuffer[] {ByteBuffer.wrap(frame)}, null, then));
    }

    /**
     * Stops writing and closes the session with a close frame once no write is in flight. From now on the
     * connection may stay silent for at most the send timeout (the endpoint's idle timeout is lowered to it):
     * a client that does not read lets neither the write in flight nor the close frame complete, and Jetty
     * then fails them and ends the connection.
     */
    void close(int code, String reason) {
        if (sendTimeoutMs > 0 && endPoint.getIdleTimeout() > sendTimeoutMs) {
            endPoint.setIdleTimeout(sendTimeoutMs);
        }
        afterWrites(() -> {
            if (session.isOutputOpen()) {
                session.close(code, reason, Callback.NOOP);
            }
        }, false);
    }

    /**
     * Stops writing and runs an action once no write is in flight, or at once when none is or the one in
     * flight waits for a client that does not read: Jetty writes its own close frame once its frame or error
     * callback completes, which must not meet a write of ours that is about to complete, and must not wait
     * for one that may never complete (Jetty then fails that write and ends the connection).
     */
    void whenIdle(Runnable action) {
        afterWrites(action, true);
    }

    private void afterWrites(Runnable action, boolean evenIfStalled) {
        boolean now;
        synchronized (this) {
            closing = true;
            // (a flush returns promptly whatever the client does: it is waited for)
            now = !flushing && (inFlight == null || (evenIfStalled && inFlight.returned));
            if (!now) {
                Runnable before = idleAction;
                idleAction = before == null ? action : () -> {
                    before.run();
                    action.run();
                };
            }
        }
        if (now) {
            action.run();
        }
    }

    /** The connection ended: nothing more is written; waiting writes fail. */
    void closed() {
        failWaiting(new ClosedChannelException());
    }

    private void failWaiting(Throwable cause) {
        Job a;
        Job b;
        synchronized (this) {
            closing = true;
            a = waiting;
            b = waiting2;
            waiting = null;
            waiting2 = null;
            idleAction = null;
        }
        if (a != null) {
            a.report(cause);
        }
        if (b != null) {
            b.report(cause);
        }
    }

    private void submit(Job job) {
        boolean refused;
        synchronized (this) {
            refused = closing;
            if (!refused) {
                if (inFlight != null || flushing) {
                    if (waiting == null) {
                        waiting = job;
                    } else if (waiting2 == null) {
                        waiting2 = job;
                    } else {
                        throw new IllegalStateException("more than two writes waiting on " + endPoint);
                    }
                    return;
                }
                inFlight = job;
            }
        }
        if (refused) {
            if (job.done == null) {
                // a pong asked for once the close began: the close frame answers the ping instead, and failing
                // Jetty's callback would make Jetty end the connection with its own code in place of ours
                job.then.succeeded();
            } else {
                job.report(new ClosedChannelException());
            }
            return;
        }
        write(job);
    }

    private void write(Job job) {
        try {
            endPoint.write(job, job.buffers);
        } catch (RuntimeException e) {
            // WritePendingException: Jetty is writing a frame of its own, which only ends a connection
            job.failed(e);
            return;
        }
        synchronized (this) {
            job.returned = true;
        }
    }

    /** One write and whom to tell; it is Jetty's callback for the write. */
    private final class Job implements Callback {
        final ByteBuffer[] buffers;
        final SendCallback done;
        final Callback then;
        /** Guarded by the writer: the write call returned before the write completed. */
        boolean returned;

        Job(ByteBuffer[] buffers, SendCallback done, Callback then) {
            this.buffers = buffers;
            this.done = done;
            this.then = then;
        }

        @Override
        public void succeeded() {
            finished(null);
        }

        @Override
        public void failed(Throwable cause) {
            finished(cause);
        }

        private void finished(Throwable cause) {
            ended(this, done, cause);
        }

        void report(Throwable cause) {
            EndPointWriter.report(done, then, cause);
        }
    }

    /**
     * The write in flight ended: tells its caller, then starts the next waiting write or, when none may
     * follow, runs the action waiting for the writer to be idle.
     *
     * @param job the job that ended, or {@code null} for a batch written with {@link EndPoint#flush}
     * @param done whom that flush tells (when {@code job} is {@code null})
     * @param cause why it failed, or {@code null}
     */
    private void ended(Job job, SendCallback done, Throwable cause) {
        Job next = null;
        Runnable idle = null;
        synchronized (this) {
            if (job == null ? !flushing : inFlight != job) {
                return;
            }
            flushing = false;
            if (cause == null && waiting != null) {
                next = waiting;
                waiting = waiting2;
                waiting2 = null;
            } else {
                idle = idleAction;
                idleAction = null;
            }
            inFlight = next;
        }
        if (job != null) {
            job.report(cause);
        } else {
            report(done, null, cause);
        }
        if (cause != null) {
            // the endpoint is broken: nothing more can be written on it
            failWaiting(cause);
        }
        if (next != null) {
            write(next);
        } else if (idle != null) {
            idle.run();
        }
    }

    private static void report(SendCallback done, Callback then, Throwable cause) {
        if (done != null) {
            if (cause == null) {
                done.completed();
            } else {
                done.failed(cause);
            }
        } else if (cause == null) {
            then.succeeded();
        } else {
            then.failed(cause);
        }
    }

    /** Frames a batch: one buffer per frame, each a view of the frame's shared, already framed bytes. */
    private static ByteBuffer[] frames(List<OutboundFrame> batch) {
        int n = batch.size();
        ByteBuffer[] out = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            OutboundFrame f = batch.get(i);
            out[i] = ByteBuffer.wrap(f.kind() == OutboundFrame.Kind.PING ? PING_FRAME : f.webSocketFrame());
        }
        return out;
    }
}
