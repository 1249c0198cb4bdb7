package io.herald.internal;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.spi.ServerMessage;

/**
 * The {@code error} message that ends a stream whose transport has no close codes (SSE): what a WebSocket
 * client reads in the close frame, an SSE client reads as the stream's last event.
 *
 * <p>The {@code code} is the protocol's error code nearest to the close code; the message carries the close
 * itself ({@link ServerMessage.Error#closing()}), so the exact reason word and close code reach the client
 * as {@code reason} and {@code closeCode}:
 *
 * <table>
 * <caption>close code to error code</caption>
 * <tr><th>close code</th><th>error code</th></tr>
 * <tr><td>1013 (slow consumer, capacity)</td><td>{@link ErrorCode#LIMIT_EXCEEDED}</td></tr>
 * <tr><td>1008 with reason {@code unauthorized}</td><td>{@link ErrorCode#UNAUTHORIZED}</td></tr>
 * <tr><td>1008, any other reason (abuse, an application's policy)</td><td>{@link ErrorCode#FORBIDDEN}</td></tr>
 * <tr><td>1009</td><td>{@link ErrorCode#TOO_LARGE}</td></tr>
 * <tr><td>anything else: 1000 (disconnected, idle), 1001 (shutdown), 1011, application codes</td>
 *     <td>{@link ErrorCode#INTERNAL}: nothing the client did</td></tr>
 * </table>
 *
 * <p>Stateless.
 */
final class ClosingError {
    private ClosingError() {
    }

    /**
     * @param reason why the server ends the connection
     * @return the error that says so
     */
    static ServerMessage.Error of(CloseReason reason) {
        return new ServerMessage.Error(null, code(reason), message(reason), 0, reason);
    }

    /**
     * @param reason a close
     * @return the error code it maps to
     */
    static ErrorCode code(CloseReason reason) {
        return switch (reason.code()) {
            case CloseReason.TRY_AGAIN_LATER -> ErrorCode.LIMIT_EXCEEDED;
            case CloseReason.POLICY_VIOLATION -> CloseReason.UNAUTHORIZED.reason().equals(reason.reason())
                    ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN;
            case CloseReason.TOO_BIG -> ErrorCode.TOO_LARGE;
            default -> ErrorCode.INTERNAL;
        };
    }

    private static String message(CloseReason reason) {
        if (reason.equals(CloseReason.SLOW_CONSUMER)) {
            return "the client did not read fast enough; reconnect and resume with Last-Event-ID";
        }
        if (reason.equals(CloseReason.SHUTDOWN)) {
            return "the server is shutting down; reconnect and resume with Last-Event-ID";
        }
        if (reason.equals(CloseReason.DISCONNECTED)) {
            return "the server ended the stream";
        }
        if (reason.equals(CloseReason.CAPACITY)) {
            return "a connection limit was reached";
        }
        if (reason.equals(CloseReason.UNAUTHORIZED)) {
            return "not authenticated";
        }
        if (reason.equals(CloseReason.ABUSE)) {
            return "too many requests were refused in a row";
        }
        if (reason.equals(CloseReason.IDLE_TIMEOUT)) {
            return "nothing was heard from the client for more than two heartbeat intervals after a ping was sent";
        }
        if (reason.equals(CloseReason.TOO_LARGE)) {
            return "a message was above the size limit";
        }
        if (reason.equals(CloseReason.INTERNAL)) {
            return "the server failed";
        }
        return "the server ended the stream (" + reason.code()
                + (reason.reason().isEmpty() ? "" : " " + reason.reason()) + ")";
    }
}
