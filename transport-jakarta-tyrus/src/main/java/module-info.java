/** A standalone Tyrus (Grizzly) server for Herald's WebSocket endpoint, for applications without a container. */
module io.herald.transport.jakarta.tyrus {
    requires transitive io.herald.transport.jakarta;
    requires org.glassfish.tyrus.spi;
    requires org.glassfish.tyrus.core;
    requires org.glassfish.tyrus.server;

    exports io.herald.transport.jakarta.tyrus;
}
