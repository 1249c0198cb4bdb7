package io.herald;

/**
 * A WebSocket close code with its machine-readable reason word.
 *
 * @param code the close code
 * @param reason a short word such as {@code slow-consumer}
 */
public record CloseReason(int code, String reason) {
    /** 1000: the connection's purpose is fulfilled. */
    public static final int NORMAL = 1000;
    /** 1001: the server is shutting down. */
    public static final int GOING_AWAY = 1001;
    /** 1008: a policy was violated (unauthenticated, forbidden origin, abuse). */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a frame was too large. */
    public static final int TOO_BIG = 1009;
    /** 1011: the server failed. */
    public static final int INTERNAL_ERROR = 1011;
    /** 1013: try again later (capacity, or too slow to keep up: resume with {@code since}). */
    public static final int TRY_AGAIN_LATER = 1013;

    /** The client closed normally. */
    public static final CloseReason CLIENT_CLOSED = new CloseReason(NORMAL, "normal");
    /**
     * Nothing was heard from the client for more than two heartbeat intervals after a ping reached it (or for
     * more than four while nothing could be written to it).
     */
    public static final CloseReason IDLE_TIMEOUT = new CloseReason(NORMAL, "idle-timeout");
    /** The hub is closing; the client should reconnect elsewhere or later. */
    public static final CloseReason SHUTDOWN = new CloseReason(GOING_AWAY, "shutdown");
    /** The handshake carried no acceptable credentials. */
    public static final CloseReason UNAUTHORIZED = new CloseReason(POLICY_VIOLATION, "unauthorized");
    /** The client kept breaking limits after being told. */
    public static final CloseReason ABUSE = new CloseReason(POLICY_VIOLATION, "abuse");
    /** The outbound queue overflowed: the client could not keep up. */
    public static final CloseReason SLOW_CONSUMER = new CloseReason(TRY_AGAIN_LATER, "slow-consumer");
    /** A connection limit was reached. */
    public static final CloseReason CAPACITY = new CloseReason(TRY_AGAIN_LATER, "capacity");
    /** A frame above the transport's limit. */
    public static final CloseReason TOO_LARGE = new CloseReason(TOO_BIG, "too-large");
    /** The server closed the connection on the application's request. */
    public static final CloseReason DISCONNECTED = new CloseReason(NORMAL, "disconnected");
    /** Herald failed. */
    public static final CloseReason INTERNAL = new CloseReason(INTERNAL_ERROR, "internal");

    /** Validates the code range. */
    public CloseReason {
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("close code must be within 1000..4999, was " + code);
        }
        if (reason == null) {
            throw new IllegalArgumentException("reason must not be null");
        }
    }

    /**
     * @return whether a server may send this code in a close frame: 1000–1003, 1007–1013, or 3000–4999 for
     *     applications. RFC 6455 reserves 1004, 1005, 1006 and 1015 (they describe closes, and are never sent)
     *     and leaves 1014 and 1016–2999 to future standards, which Jakarta WebSocket cannot send either.
     *     A transport may report a received code that is not sendable.
     */
    public boolean sendable() {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013) || (code >= 3000 && code <= 4999);
    }
}
