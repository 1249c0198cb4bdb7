package io.herald;

import java.util.Objects;

/**
 * Thrown by a {@link RouteHandler} to answer with a specific error code instead of
 * {@link ErrorCode#HANDLER_ERROR}.
 */
public class RouteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The retry hint of a {@link ErrorCode#RATE_LIMITED} thrown without one: one second. */
    public static final long DEFAULT_RETRY_AFTER_MS = 1_000;

    private final ErrorCode code;
    private final long retryAfterMs;

    /**
     * @param code the error code the client receives
     * @param message the message the client receives; {@code null} or blank sends the code's name; one
     *     longer than 1,024 characters is cut to 1,021 and ends in {@code ...}
     * @throws NullPointerException if {@code code} is null
     */
    public RouteException(ErrorCode code, String message) {
        this(code, message, code == ErrorCode.RATE_LIMITED ? DEFAULT_RETRY_AFTER_MS : 0);
    }

    /**
     * @param code the error code the client receives
     * @param message the message the client receives, as for {@link #RouteException(ErrorCode, String)}
     * @param retryAfterMs the {@code retryAfterMs} the error frame carries, at least 1, with
     *     {@link ErrorCode#RATE_LIMITED}; 0 with any other code
     * @throws NullPointerException if {@code code} is null
     * @throws IllegalArgumentException if {@code retryAfterMs} does not fit the code
     */
    public RouteException(ErrorCode code, String message, long retryAfterMs) {
        super(messageOf(code, message));
        if (code == ErrorCode.RATE_LIMITED ? retryAfterMs < 1 : retryAfterMs != 0) {
            throw new IllegalArgumentException("retryAfterMs must be at least 1 with RATE_LIMITED and 0 with any"
                    + " other code, was " + retryAfterMs + " with " + code);
        }
        this.code = code;
        this.retryAfterMs = retryAfterMs;
    }

    private static String messageOf(ErrorCode code, String message) {
        Objects.requireNonNull(code, "a RouteException needs an error code");
        return message == null || message.isBlank() ? code.name() : message;
    }

    /** @return the error code the client receives */
    public ErrorCode code() {
        return code;
    }

    /** @return the error frame's {@code retryAfterMs}: positive with {@link ErrorCode#RATE_LIMITED}, else 0 */
    public long retryAfterMs() {
        return retryAfterMs;
    }
}
