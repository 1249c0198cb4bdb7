package io.herald.spi;

import java.util.List;

/**
 * One client connection as a transport adapter (WebSocket, SSE, test double) presents it to the hub.
 *
 * <p>The hub guarantees that at most one {@link #send} is in flight per transport: the next send is
 * issued only after the previous one's callback ran. Adapters therefore need no queue of their own;
 * the hub's bounded outbound queue is the only buffer.
 */
public interface Transport {
    /** @return the framing this transport carries; constant for the transport's lifetime */
    Framing framing();

    /**
     * Writes frames, in order, without blocking the caller. Called on a publishing thread or on the
     * thread that completed the previous send. The list is only valid until this method returns:
     * an adapter that writes asynchronously copies the references it needs (the frames themselves are
     * immutable and may be kept).
     *
     * @param frames one or more frames; {@link OutboundFrame#PING} asks for the transport's keep-alive
     * @param callback told once when the whole batch is written or has failed
     */
    void send(List<OutboundFrame> frames, SendCallback callback);

    /**
     * Closes the connection. Non-blocking, idempotent; may be called on any thread. A transport without
     * close codes ({@link Framing#SSE}) only ends its stream: the hub has already sent the code and reason as
     * the stream's last frame, an {@code error} event, through {@link #send} (unless the send in flight did
     * not complete within the hub's drain timeout, or the transport reported its own close).
     *
     * @param code a WebSocket close code ({@link io.herald.CloseReason})
     * @param reason a short machine-readable word
     */
    void close(int code, String reason);

    /**
     * Whether this transport tells the hub, through {@link ConnectionHandle#onClosed}, when a close it was
     * asked for has ended (the close handshake done, the response completed, or the connection lost).
     * {@link io.herald.Hub#close(java.time.Duration)} then waits for those reports, within its deadline,
     * before it returns, so that a server stopped right after it does not cut the closing frames short.
     *
     * @return {@code true} if every close ends with a call to {@code onClosed}; default {@code false}
     */
    default boolean reportsClose() {
        return false;
    }
}
