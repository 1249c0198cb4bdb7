package io.herald.transport.jakarta.internal;

import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Writes an upgraded connection's frames to the servlet container's non-blocking output stream. A server's
 * frames are not masked, so an event's frame is built once ({@link OutboundFrame#webSocketFrame}) and the
 * same bytes are written for every recipient; a batch of frames is written one after another into the
 * container's buffer and flushed once, so a client that keeps up gets the batch in one write.
 *
 * <p>Follows the servlet API's rule for non-blocking output: bytes are written only after
 * {@link ServletOutputStream#isReady()} said yes; when it says no, the container calls
 * {@link #onWritePossible()} once the client has read, and the write goes on from there, on that thread. A
 * batch is done once it is flushed and the stream is ready again, which means the container handed every
 * byte to the socket.
 *
 * <p>What waits here is bounded: the hub has at most one batch in flight, a pong not yet begun is replaced
 * by a newer one (RFC 6455 lets a pong answer only the latest ping), and there is one close frame, after
 * which nothing is accepted. A write that fails fails everything waiting, and the owner is told once.
 *
 * <p>Threads: {@link #send}, {@link #pong} and {@link #close} from any thread; one thread writes at a time,
 * the one that found the writer idle or the container's thread in {@link #onWritePossible}.
 */
final class UpgradeWriter implements WriteListener {
    /** Told once when a write fails: the connection cannot go on. */
    interface Owner {
        void writeFailed(Throwable cause);
    }

    private static final byte[] PING_FRAME = {(byte) 0x89, 0};
    private static final byte FIN_PONG = (byte) 0x8A;
    private static final byte FIN_CLOSE = (byte) 0x88;

    private final ServletOutputStream out;
    private final Owner owner;

    // guarded by this
    private Job current;
    private final ArrayDeque<Job> waiting = new ArrayDeque<>(3);
    /** A thread is writing {@link #current}. */
    private boolean writing;
    /** The container called {@link #onWritePossible} while a thread was writing: it must ask again. */
    private boolean signalled;
    /** A close frame was accepted, or a write failed: nothing more is accepted. */
    private boolean closing;
    private Throwable failure;

    UpgradeWriter(ServletOutputStream out, Owner owner) {
        this.out = out;
        this.owner = owner;
    }

    /**
     * Writes a batch of the hub's frames.
     *
     * @param batch the frames, only valid during this call
     * @param done told once, when every byte is handed to the socket or the write failed
     */
    void send(List<OutboundFrame> batch, SendCallback done) {
        int n = batch.size();
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++) {
            OutboundFrame f = batch.get(i);
            frames[i] = f.kind() == OutboundFrame.Kind.PING ? PING_FRAME : f.webSocketFrame();
        }
        submit(new Job(frames, done, null, false));
    }

    /**
     * Writes a pong, unless the connection is closing (the close frame then answers the ping).
     *
     * @param payload the ping's payload, at most 125 bytes
     */
    void pong(byte[] payload) {
        byte[] frame = new byte[2 + payload.length];
        frame[0] = FIN_PONG;
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        synchronized (this) {
            if (closing) {
                return;
            }
            for (Job j : waiting) {
                if (j.pong) {
                    j.frames[0] = frame;
                    return;
                }
            }
        }
        submit(new Job(new byte[][] {frame}, null, null, true));
    }

    /**
     * Writes a close frame after what is being written and what waits, and accepts nothing after it.
     *
     * @param code the close code, or {@link FrameReader#NO_STATUS} for a close frame without one
     * @param reason the reason, at most 123 bytes of UTF-8
     * @param then run once the close frame is handed to the socket; not run when the write fails
     * @return whether this was the first close asked for
     */
    boolean close(int code, byte[] reason, Runnable then) {
        byte[] frame;
        if (code == FrameReader.NO_STATUS) {
            frame = new byte[] {FIN_CLOSE, 0};
        } else {
            frame = new byte[4 + reason.length];
            frame[0] = FIN_CLOSE;
            frame[1] = (byte) (2 + reason.length);
            frame[2] = (byte) (code >>> 8);
            frame[3] = (byte) code;
            System.arraycopy(reason, 0, frame, 4, reason.length);
        }
        Job job = new Job(new byte[][] {frame}, null, then, false);
        boolean now;
        synchronized (this) {
            if (closing) {
                return false;
            }
            closing = true;
            now = enqueue(job);
        }
        if (now) {
            drain();
        }
        return true;
    }

    private void submit(Job job) {
        Throwable refused = null;
        boolean now = false;
        synchronized (this) {
            if (closing) {
                refused = failure != null ? failure : new ClosedChannelException();
            } else {
                now = enqueue(job);
            }
        }
        if (refused != null) {
            job.failed(refused);
        } else if (now) {
            drain();
        }
    }

    /**
     * Puts a job in line, holding the lock: next when nothing is being written (the thread writing, if any,
     * takes it when it finishes its job), else behind what waits.
     *
     * @return whether the caller is now the writer and must {@link #drain}
     */
    private boolean enqueue(Job job) {
        if (current != null) {
            waiting.add(job);
            return false;
        }
        current = job;
        if (writing) {
            return false;
        }
        writing = true;
        return true;
    }

    @Override
    public void onWritePossible() {
        synchronized (this) {
            if (writing) {
                signalled = true;
                return;
            }
            if (current == null) {
                return;
            }
            writing = true;
        }
        drain();
    }

    @Override
    public void onError(Throwable cause) {
        fail(cause);
    }

    /** Writes {@link #current} and what waits behind it, for as long as the stream takes bytes. */
    private void drain() {
        while (true) {
            Job job;
            synchronized (this) {
                job = current;
                if (job == null || failure != null) {
                    writing = false;
                    return;
                }
            }
            try {
                if (!advance(job)) {
                    synchronized (this) {
                        if (!signalled) {
                            // the container calls onWritePossible once the client has read
                            writing = false;
                            return;
                        }
                        signalled = false;
                    }
                    continue;
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            synchronized (this) {
                if (current != job) {
                    // failed meanwhile (the connection ended): it was told so
                    writing = false;
                    return;
                }
                current = waiting.poll();
            }
            job.completed();
        }
    }

    /**
     * Writes as much of a job as the stream takes now.
     *
     * @return whether the job is done: every byte written and flushed, and the stream ready again
     */
    private boolean advance(Job job) throws IOException {
        while (job.next < job.frames.length) {
            if (!out.isReady()) {
                return false;
            }
            out.write(job.frames[job.next++]);
        }
        if (!job.flushed) {
            if (!out.isReady()) {
                return false;
            }
            job.flushed = true;
            out.flush();
        }
        return out.isReady();
    }

    /** A write failed or the connection ended: what is being written and what waits fails. */
    void fail(Throwable cause) {
        Job job;
        Job[] rest;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = cause;
            closing = true;
            job = current;
            current = null;
            rest = waiting.toArray(new Job[0]);
            waiting.clear();
        }
        if (job != null) {
            job.failed(cause);
        }
        for (Job j : rest) {
            j.failed(cause);
        }
        owner.writeFailed(cause);
    }

    /** One write: its frames, how far it got, and whom to tell. */
    private static final class Job {
        final byte[][] frames;
        final SendCallback done;
        final Runnable then;
        final boolean pong;
        /** Written by the one thread writing at a time. */
        int next;
        boolean flushed;

        Job(byte[][] frames, SendCallback done, Runnable then, boolean pong) {
            this.frames = frames;
            this.done = done;
            this.then = then;
            this.pong = pong;
        }

        void completed() {
            if (done != null) {
                done.completed();
            } else if (then != null) {
                then.run();
            }
        }

        void failed(Throwable cause) {
            if (done != null) {
                done.failed(cause);
            }
        }
    }
}
