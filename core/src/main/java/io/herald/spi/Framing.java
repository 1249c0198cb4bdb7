package io.herald.spi;

/**
 * How a transport puts Herald's frames on the wire. The hub encodes each outbound message once per
 * framing and shares the bytes between every connection that uses the same framing.
 */
public enum Framing {
    /** One JSON object per WebSocket text frame. */
    WEBSOCKET,
    /**
     * A {@code text/event-stream} block per message: events as {@code id:} + {@code data:} lines,
     * errors and presence as named events, answers are not sent (SSE has no requests). A stream the server
     * ends gets a last {@code error} event carrying the close reason and code a WebSocket would have used.
     */
    SSE
}
