/**
 * Herald's Server-Sent Events transport: {@link io.herald.transport.sse.HeraldSse} mounts an async servlet
 * with the event stream, its control endpoints and HTTP publish in any Servlet 6 container.
 */
module io.herald.transport.sse {
    requires transitive io.herald.core;
    requires transitive jakarta.servlet;
    requires org.slf4j;

    exports io.herald.transport.sse;
}
