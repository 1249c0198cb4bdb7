package io.herald.spi;

/** Thrown by an {@link Authenticator} to refuse credentials. The message reaches the client. */
public class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the credentials were refused, safe to show to the client; {@code null} or blank is sent
     *     as {@code "unauthorized"}
     */
    public AuthenticationException(String message) {
        super(message == null || message.isBlank() ? "unauthorized" : message);
    }
}
