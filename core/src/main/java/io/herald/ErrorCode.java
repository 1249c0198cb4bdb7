package io.herald;

/** The {@code code} of an {@code error} frame, as the wire protocol defines it. */
public enum ErrorCode {
    /** Not JSON, not an object, a missing or mistyped field. */
    BAD_REQUEST,
    /** The {@code type} names no request. */
    UNKNOWN_TYPE,
    /** A topic, pattern or room name breaks the naming rules. */
    INVALID_TOPIC,
    /** The client is not authenticated, or its credentials were refused. */
    UNAUTHORIZED,
    /** The principal may not do this. */
    FORBIDDEN,
    /** Too many requests; the frame carries {@code retryAfterMs}. */
    RATE_LIMITED,
    /** Too many subscriptions, rooms or connections. */
    LIMIT_EXCEEDED,
    /** No such route or room. */
    NOT_FOUND,
    /** A frame or payload above the configured size. */
    TOO_LARGE,
    /** A {@code send} route's handler failed. */
    HANDLER_ERROR,
    /** Herald itself failed; nothing the client did. */
    INTERNAL
}
