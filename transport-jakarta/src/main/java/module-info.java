/**
 * Herald's Jakarta WebSocket transport: {@link io.herald.transport.jakarta.HeraldWebSocket} registers the
 * endpoint in any Jakarta WebSocket 2.1+ container. The servlet API is needed only for the optional
 * handshake filter.
 */
module io.herald.transport.jakarta {
    requires transitive io.herald.core;
    requires transitive jakarta.websocket;
    requires static jakarta.servlet;
    requires static org.eclipse.jetty.ee10.websocket.jakarta.common;
    requires static org.eclipse.jetty.websocket.core.common;
    requires static org.eclipse.jetty.util;
    requires org.slf4j;

    exports io.herald.transport.jakarta;
    opens io.herald.transport.jakarta.internal;
}
