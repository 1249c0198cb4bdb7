package io.herald.spi;

import io.herald.Principal;

/**
 * The hub's verdict on a handshake, given before the transport upgrades the connection.
 * A rejected admission says which HTTP status to answer where the container still allows it, and
 * which close code to use where it does not.
 */
public final class Admission {
    private final Principal principal;
    private final int httpStatus;
    private final int closeCode;
    private final String reason;
    private final String message;
    private final long retryAfterMs;
    private final Handshake handshake;
    private final boolean awaitingAuth;

    private Admission(Principal principal, int httpStatus, int closeCode, String reason, String message,
            long retryAfterMs, Handshake handshake, boolean awaitingAuth) {
        this.principal = principal;
        this.awaitingAuth = awaitingAuth;
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.reason = reason;
        this.message = message;
        this.retryAfterMs = retryAfterMs;
        this.handshake = handshake;
    }

    /**
     * @param principal who connects
     * @param handshake what they presented
     * @return an accepted admission
     */
    public static Admission accept(Principal principal, Handshake handshake) {
        return new Admission(principal, 101, 0, "", "", 0, handshake, false);
    }

    /**
     * A WebSocket handshake that presented no credentials, let through as {@link Principal#anonymous()}
     * because the hub takes an {@code auth} frame after the upgrade: until that frame authenticates it, the
     * connection may only authenticate and ping. No other transport can send that frame.
     *
     * @param handshake what the client presented
     * @return an accepted admission that {@linkplain #awaitingAuth awaits authentication}
     */
    public static Admission acceptUntilAuth(Handshake handshake) {
        return new Admission(Principal.anonymous(), 101, 0, "", "", 0, handshake, true);
    }

    /**
     * @param httpStatus status to answer before the upgrade (400, 401, 403, 429, 503, 500)
     * @param closeCode close code to use after it (1008, 1013, 1001, 1011)
     * @param reason short machine-readable word, such as {@code unauthorized}
     * @param message human-readable explanation
     * @param retryAfterMs when to try again, milliseconds; 0 when not applicable
     * @param handshake what the client presented
     * @return a rejection
     */
    public static Admission reject(int httpStatus, int closeCode, String reason, String message, long retryAfterMs,
            Handshake handshake) {
        return new Admission(null, httpStatus, closeCode, reason, message, retryAfterMs, handshake, false);
    }

    /** @return whether the connection may proceed */
    public boolean accepted() {
        return principal != null;
    }

    /** @return whether the connection was let in without credentials, to authenticate with an {@code auth} frame */
    public boolean awaitingAuth() {
        return awaitingAuth;
    }

    /** @return the authenticated principal; {@code null} when rejected */
    public Principal principal() {
        return principal;
    }

    /** @return the HTTP status to answer a rejected handshake with; 101 when accepted */
    public int httpStatus() {
        return httpStatus;
    }

    /** @return the WebSocket close code for a rejection after the upgrade; 0 when accepted */
    public int closeCode() {
        return closeCode;
    }

    /** @return the machine-readable close reason; empty when accepted */
    public String reason() {
        return reason;
    }

    /** @return a human-readable explanation; empty when accepted */
    public String message() {
        return message;
    }

    /** @return milliseconds after which a retry may succeed; 0 when not applicable */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    /** @return the handshake this verdict is about */
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public String toString() {
        return accepted() ? "Admission[accepted " + principal + (awaitingAuth ? ", awaiting auth" : "") + "]"
                : "Admission[rejected " + httpStatus + "/" + closeCode + " " + reason + ": " + message + "]";
    }
}
