package io.herald;

import java.util.Objects;

/**
 * Thrown by a {@link RouteHandler} to answer with a specific error code instead of
 * {@link ErrorCode#HANDLER_ERROR}.
 */
public class RouteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code the error code the client receives
     * @param message the message the client receives; {@code null} or blank sends the code's name
     * @throws NullPointerException if {@code code} is null
     */
    public RouteException(ErrorCode code, String message) {
        super(messageOf(code, message));
        this.code = code;
    }

    private static String messageOf(ErrorCode code, String message) {
        Objects.requireNonNull(code, "a RouteException needs an error code");
        return message == null || message.isBlank() ? code.name() : message;
    }

    /** @return the error code the client receives */
    public ErrorCode code() {
        return code;
    }
}
