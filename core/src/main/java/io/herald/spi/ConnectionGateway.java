package io.herald.spi;

import io.herald.CloseReason;

/**
 * The hub's door for transport adapters: first judge a handshake, then open the connection.
 * Obtained from {@link io.herald.Hub#gateway()}. Thread-safe; both methods return quickly and do not
 * block on I/O (the configured {@link Authenticator} must not block either).
 */
public interface ConnectionGateway {
    /**
     * Judges a handshake: handshake rate per IP, Origin allow-list, authentication, then the query
     * parameters the hub reads: a {@code batch} that is not a whole number of milliseconds (0 or more) is
     * refused with 400 (1008 {@code bad-request} after an upgrade). Called on the container thread that
     * handles the upgrade request, before the upgrade.
     *
     * @param handshake what the client presented
     * @return an accepted admission with the principal, or a rejection with status and close code
     */
    Admission admit(Handshake handshake);

    /**
     * Whether the Origin allow-list admits an {@code Origin}, for containers that ask about it before
     * anything else (a Jakarta WebSocket {@code Configurator.checkOrigin}): they answer a refusal with 403
     * before the upgrade even where no other refusal can be answered with a status. {@link #admit(Handshake)}
     * checks the Origin again; this only lets the container refuse it earlier, and charges no connection
     * attempt. The default admits every Origin.
     *
     * @param origin the request's {@code Origin} header; {@code null} when it has none, which is admitted
     *     (as {@link #admit(Handshake)} admits a handshake without one)
     * @return whether the allow-list admits it
     */
    default boolean allowsOrigin(String origin) {
        return true;
    }

    /**
     * Judges a request from a transport of the given framing. A WebSocket is judged as by
     * {@link #admit(Handshake)}. Any other transport (an SSE stream, an HTTP publish) cannot send an
     * {@code auth} frame after it connects, so its credentials are judged now even where the hub lets
     * WebSocket clients authenticate later: a request without them goes to the {@link Authenticator} like
     * any other, and is refused unless the application accepts anonymous callers.
     *
     * <p>The default refuses, with 401, any admission of another framing that {@linkplain
     * Admission#awaitingAuth awaits} an {@code auth} frame.
     *
     * @param handshake what the client presented
     * @param framing the framing of the transport that asks
     * @return an accepted admission with the principal, or a rejection with status and close code
     */
    default Admission admit(Handshake handshake, Framing framing) {
        Admission a = admit(handshake);
        if (framing == Framing.WEBSOCKET || !a.awaitingAuth()) {
            return a;
        }
        return Admission.reject(401, CloseReason.POLICY_VIOLATION, "unauthorized", "credentials are required", 0,
                handshake);
    }

    /**
     * Judges an HTTP request that opens no connection (an SSE client's {@code POST /publish}): the Origin
     * allow-list and the credentials, judged as for an SSE stream. It is not counted as a connection attempt
     * (what it does is rate limited on its own, like a publish), unless its credentials are refused: then it
     * counts, so guessing credentials here is no cheaper than by connecting. Every refused request counts,
     * even when several were judged at once; and a request from an address out of attempts is refused
     * (429) before its credentials are judged, so a right guess is answered like a wrong one.
     *
     * <p>The default judges it as an SSE stream's handshake, {@link #admit(Handshake, Framing)}.
     *
     * @param handshake what the client presented
     * @return an accepted admission with the principal, or a rejection with its status
     */
    default Admission admitRequest(Handshake handshake) {
        return admit(handshake, Framing.SSE);
    }

    /**
     * Opens a connection after a successful upgrade. Enforces connection limits (total, per user,
     * per IP): over a limit, the transport is closed with 1013 {@code capacity} and the returned handle
     * ignores everything. Otherwise the {@code connected} frame is queued at once.
     *
     * @param admission an accepted admission from {@link #admit}
     * @param transport the new connection's transport
     * @return the handle for inbound traffic and close notifications
     * @throws IllegalArgumentException if the admission was a rejection, or {@linkplain Admission#awaitingAuth
     *     awaits} an {@code auth} frame that the transport's framing cannot carry
     */
    ConnectionHandle open(Admission admission, Transport transport);

    /**
     * Opens a connection that starts with subscriptions and rooms. Everything is checked first: when a
     * pattern, the filter or a room is invalid, forbidden or over a limit, nothing is opened and the
     * exception says why (an SSE adapter answers it before the stream starts: HTTP 400 for an invalid
     * pattern, filter or room, 403 for a forbidden one, 429 for one over a limit). With
     * {@code since}, the {@code connected} frame carries {@code recovered} and is followed by the replayed
     * events, then live ones.
     *
     * @param admission an accepted admission from {@link #admit}
     * @param transport the new connection's transport
     * @param initial what the connection starts with
     * @return the handle for inbound traffic and close notifications
     * @throws ProtocolException when the initial subscription cannot be made ({@code UNAUTHORIZED} when
     *     the admission {@linkplain Admission#awaitingAuth awaits} an {@code auth} frame); the connection is
     *     not opened
     * @throws IllegalArgumentException if the admission was a rejection
     */
    ConnectionHandle open(Admission admission, Transport transport, InitialSubscription initial)
            throws ProtocolException;

    /**
     * Executes a request on an open connection on behalf of an HTTP caller that proves ownership with the
     * connection's control token (an SSE stream's {@code /subscribe} and {@code /unsubscribe}). The answer
     * is returned instead of being sent on the connection. Requests for one connection are executed one at
     * a time. Called on a container thread; does not block on I/O except for a history read on resume.
     * Only the token is judged: an adapter serving HTTP callers uses
     * {@link #control(Handshake, String, String, Request)}, which also limits guesses and checks the Origin.
     *
     * @param connectionId the connection
     * @param controlToken the token from its {@code connected} frame
     * @param request the request
     * @return the answer: {@code subscribed}, {@code unsubscribed} … or an {@code error} —
     *     {@code NOT_FOUND} for an unknown connection, {@code FORBIDDEN} for a wrong token, and during a
     *     shutdown {@code INTERNAL} with a {@code retryAfterMs}, whatever the id and token
     */
    ServerMessage control(String connectionId, String controlToken, Request request);

    /**
     * Executes a control request as {@link #control(String, String, Request)} does, for an HTTP caller that
     * is judged like one that publishes ({@link #admitRequest}): the Origin allow-list applies
     * ({@code FORBIDDEN}), a request whose connection id or control token is refused ({@code NOT_FOUND},
     * {@code FORBIDDEN}) counts as a connection attempt of the caller's address, as refused credentials do,
     * and a request from an address out of attempts is answered {@code RATE_LIMITED} with
     * {@code retryAfterMs} before its token is judged, so that a right guess is answered like a wrong one.
     * During a shutdown every request is answered {@code INTERNAL} with {@code retryAfterMs} first, and
     * counts as no attempt.
     * An SSE adapter calls this one, so that tokens cannot be guessed faster than credentials.
     *
     * <p>The default judges no more than {@link #control(String, String, Request)}.
     *
     * @param caller the HTTP request as a handshake: its address, headers ({@code Origin}) and query
     * @param connectionId the connection
     * @param controlToken the token from its {@code connected} frame
     * @param request the request
     * @return the answer, or an {@code error}: as {@link #control(String, String, Request)}, and
     *     {@code FORBIDDEN} for an Origin not allowed, {@code RATE_LIMITED} for an address out of attempts
     */
    default ServerMessage control(Handshake caller, String connectionId, String controlToken, Request request) {
        return control(connectionId, controlToken, request);
    }

    /**
     * Publishes on behalf of an HTTP caller (an SSE client's {@code POST /publish}), authorized and rate
     * limited exactly like a WebSocket client's {@code publish}.
     *
     * The body is read as a {@code publish} message's {@code topic} and {@code data} are: the same
     * limits, and {@code data} reaches subscribers and the history as the caller wrote it (its whitespace
     * removed), never re-serialized. Fields other than {@code topic} and {@code data} are ignored.
     * {@code data} larger than the hub's {@code maxFrameBytes} is refused before the authorizer is asked
     * and before a publish-rate token is taken, so such a refusal costs the caller nothing.
     *
     * @param admission the caller's accepted admission (its credentials)
     * @param body the request body, JSON {@code {"topic": …, "data": …}} in UTF-8
     * @return {@code published} with the event id, or an {@code error} ({@code BAD_REQUEST} for a body
     *     that is not such an object, {@code INVALID_TOPIC}, {@code FORBIDDEN}, {@code RATE_LIMITED} with
     *     {@code retryAfterMs}, {@code TOO_LARGE}, {@code UNAUTHORIZED} for an admission that
     *     {@linkplain Admission#awaitingAuth awaits} an {@code auth} frame, and {@code INTERNAL} with
     *     {@code retryAfterMs} once the hub is shutting down, however long ago the caller was admitted)
     * @throws IllegalArgumentException if the admission was a rejection
     */
    ServerMessage publish(Admission admission, byte[] body);
}
