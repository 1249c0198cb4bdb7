/**
 * Herald's Server-Sent Events transport: {@link io.herald.transport.sse.HeraldSse} mounts an async servlet
 * with the event stream, its control endpoints and HTTP publish in any Servlet 6 container. Jetty is needed
 * only on Jetty, where stream bodies may bypass its servlet output.
 */
module io.herald.transport.sse {
    requires transitive io.herald.core;
    requires transitive jakarta.servlet;
    requires static org.eclipse.jetty.ee10.servlet;
    requires static org.eclipse.jetty.server;
    requires static org.eclipse.jetty.http;
    requires static org.eclipse.jetty.io;
    requires static org.eclipse.jetty.util;
    requires org.slf4j;

    exports io.herald.transport.sse;
}
