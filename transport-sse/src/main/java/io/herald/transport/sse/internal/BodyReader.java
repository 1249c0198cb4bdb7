package io.herald.transport.sse.internal;

import io.herald.ErrorCode;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a POST body with the servlet's non-blocking input, so that a client sending slowly holds no
 * container thread, then hands the bytes to the endpoint on the container thread that saw the last of
 * them. A body over the limit is answered 413 as soon as it passes the limit; a body that does not arrive
 * within the async timeout is answered 408. The request's {@code AsyncContext} is completed exactly once.
 */
final class BodyReader implements ReadListener, AsyncListener {
    /** What to do with a complete body; may write the (small) answer with blocking I/O. */
    interface Handler {
        void handle(byte[] body) throws IOException;
    }

    /** An answer to write before completing. */
    private interface Answer {
        void write() throws IOException;
    }

    /** How long a client may take to send its body: {@value} milliseconds. */
    static final long TIMEOUT_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(BodyReader.class);

    private final AsyncContext context;
    private final ServletInputStream in;
    private final HttpServletResponse response;
    private final int maxBytes;
    private final Handler handler;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[8192];
    private final AtomicBoolean done = new AtomicBoolean();

    private BodyReader(AsyncContext context, ServletInputStream in, HttpServletResponse response, int maxBytes,
            Handler handler) {
        this.context = context;
        this.in = in;
        this.response = response;
        this.maxBytes = maxBytes;
        this.handler = handler;
    }

    /**
     * Starts reading; returns at once. Call on the request's container thread after {@code startAsync}.
     *
     * @param context the request's started async context
     * @param response the response the handler answers on
     * @param maxBytes the largest body accepted
     * @param handler what to do with the body
     */
    static void read(AsyncContext context, HttpServletResponse response, int maxBytes, Handler handler)
            throws IOException {
        context.setTimeout(TIMEOUT_MS);
        BodyReader reader = new BodyReader(context, context.getRequest().getInputStream(), response, maxBytes,
                handler);
        context.addListener(reader);
        reader.in.setReadListener(reader);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (in.isReady() && !in.isFinished()) {
            int n = in.read(chunk);
            if (n < 0) {
                return;
            }
            if (buffer.size() + n > maxBytes) {
                finish(() -> HttpAnswers.error(response, ErrorCode.TOO_LARGE,
                        "body larger than " + maxBytes + " bytes", 0));
                return;
            }
            buffer.write(chunk, 0, n);
        }
    }

    @Override
    public void onAllDataRead() {
        finish(() -> handler.handle(buffer.toByteArray()));
    }

    @Override
    public void onError(Throwable t) {
        LOG.debug("reading a request body failed", t);
        // a client that is still there learns why (one that went away is not written to: the write fails)
        finish(() -> HttpAnswers.error(response, ErrorCode.BAD_REQUEST, "the body could not be read: " + t, 0));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        finish(() -> HttpAnswers.error(response, HttpServletResponse.SC_REQUEST_TIMEOUT, "BAD_REQUEST",
                "the body did not arrive within " + TIMEOUT_MS + " ms", 0));
    }

    @Override
    public void onError(AsyncEvent event) {
        finish(null);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        done.set(true);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Started once by the servlet; nothing to re-register.
    }

    private void finish(Answer answer) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        try {
            if (answer != null && !response.isCommitted()) {
                answer.write();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("answering a request failed", e);
        } finally {
            try {
                context.complete();
            } catch (IllegalStateException e) {
                LOG.debug("async context already completed", e);
            }
        }
    }
}
