package io.herald;

/**
 * Thrown by a {@link RouteHandler} to answer with a specific error code instead of
 * {@link ErrorCode#HANDLER_ERROR}.
 */
public class RouteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code the error code the client receives
     * @param message the message the client receives
     */
    public RouteException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** @return the error code the client receives */
    public ErrorCode code() {
        return code;
    }
}
