package io.herald.spi;

/**
 * The hub's door for transport adapters: first judge a handshake, then open the connection.
 * Obtained from {@link io.herald.Hub#gateway()}. Thread-safe; both methods return quickly and do not
 * block on I/O (the configured {@link Authenticator} must not block either).
 */
public interface ConnectionGateway {
    /**
     * Judges a handshake: handshake rate per IP, Origin allow-list, authentication. Called on the
     * container thread that handles the upgrade request, before the upgrade.
     *
     * @param handshake what the client presented
     * @return an accepted admission with the principal, or a rejection with status and close code
     */
    Admission admit(Handshake handshake);

    /**
     * Opens a connection after a successful upgrade. Enforces connection limits (total, per user,
     * per IP): over a limit, the transport is closed with 1013 {@code capacity} and the returned handle
     * ignores everything. Otherwise the {@code connected} frame is queued at once.
     *
     * @param admission an accepted admission from {@link #admit}
     * @param transport the new connection's transport
     * @return the handle for inbound traffic and close notifications
     * @throws IllegalArgumentException if the admission was a rejection
     */
    ConnectionHandle open(Admission admission, Transport transport);
}
