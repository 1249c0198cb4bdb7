/**
 * Herald's Jakarta WebSocket transport: {@link io.herald.transport.jakarta.HeraldWebSocket} registers the
 * endpoint in any Jakarta WebSocket 2.1+ container; {@link io.herald.transport.jakarta.HeraldJettyWebSocket}
 * serves it on Jetty 12's own WebSocket API in an ee10 context, and
 * {@link io.herald.transport.jakarta.HeraldJettyHandler} as a Jetty core handler in any environment;
 * {@link io.herald.transport.jakarta.HeraldServletWebSocket}
 * serves it with Herald's own WebSocket on the servlet upgrade (for Tomcat). The servlet API is needed only
 * for the optional handshake filter and the servlet, Jetty only for the Jetty classes.
 */
module io.herald.transport.jakarta {
    requires transitive io.herald.core;
    requires transitive jakarta.websocket;
    requires static jakarta.servlet;
    requires static org.eclipse.jetty.ee10.websocket.jakarta.common;
    requires static org.eclipse.jetty.websocket.core.common;
    requires static org.eclipse.jetty.util;
    requires static org.eclipse.jetty.http;
    requires static org.eclipse.jetty.io;
    requires static org.eclipse.jetty.server;
    requires static org.eclipse.jetty.websocket.core.server;
    requires static org.eclipse.jetty.ee10.servlet;
    requires static org.eclipse.jetty.ee10.websocket.servlet;
    requires org.slf4j;

    exports io.herald.transport.jakarta;
    opens io.herald.transport.jakarta.internal;
}
