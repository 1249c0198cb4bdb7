package io.herald.spi;

import io.herald.Principal;

/**
 * Turns the credentials a client presented into a {@link Principal}, or refuses them.
 *
 * <p>Called on the container thread handling the handshake (and, where the hub allows it, on the
 * thread delivering an {@code auth} frame). Must not block on I/O: verify signed tokens locally, or
 * cache. Thread-safe.
 */
@FunctionalInterface
public interface Authenticator {
    /** Accepts every client as anonymous, with or without a token. The default. */
    Authenticator ANONYMOUS = (token, handshake) -> Principal.anonymous();

    /**
     * @param token the token found in the {@code Authorization: Bearer} header, the {@code token} query
     *     parameter or the configured cookie, in that order; {@code null} when there is none
     * @param handshake the rest of what the client presented
     * @return the principal; {@link Principal#anonymous()} to let an anonymous client in
     * @throws AuthenticationException to refuse the client (HTTP 401 or close 1008 {@code unauthorized})
     */
    Principal authenticate(String token, Handshake handshake) throws AuthenticationException;
}
