package io.herald;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Serves one {@code send} route: request in, reply out (the seed systems' controllers and
 * acknowledgements).
 *
 * <p>Runs on the thread that delivered the request (a container thread); it should be quick. The return
 * value is serialized with Jackson and sent as {@code reply.data}; an exception becomes
 * {@code HANDLER_ERROR} with the exception's message, or the code of a {@link RouteException}. A reply
 * larger than the connection's outbound queue holds ({@link HubBuilder#outboundQueue}, bytes) is not sent:
 * the client gets {@code TOO_LARGE} for its {@code ref} instead, and stays connected.
 */
@FunctionalInterface
public interface RouteHandler {
    /**
     * @param request who asked and with what
     * @return the reply's data; {@code null} for JSON {@code null}
     * @throws Exception any failure; the client receives an {@code error} frame
     */
    Object handle(RouteRequest request) throws Exception;

    /**
     * One call of a route.
     *
     * @param connectionId the calling connection
     * @param principal who it is
     * @param route the route name
     * @param data the request's data
     * @param hub the hub, to publish, emit or send in turn
     */
    record RouteRequest(String connectionId, Principal principal, String route, JsonNode data, Hub hub) {
    }
}
