package io.herald.spi;

import io.herald.ErrorCode;

/**
 * A request that cannot be executed, with the error code and message the client receives.
 * Thrown by {@link Codec#decode}; the hub answers it with an {@code error} frame and changes nothing.
 */
public class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String ref;

    /**
     * @param code the error code
     * @param message what was wrong, precise enough for the client's developer to fix it
     * @param ref the request's {@code ref} if it could be read, else {@code null}
     */
    public ProtocolException(ErrorCode code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    /** @return the error code */
    public ErrorCode code() {
        return code;
    }

    /** @return the request's {@code ref}, or {@code null} */
    public String ref() {
        return ref;
    }
}
