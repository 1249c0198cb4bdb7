/**
 * Herald's core: the {@link io.herald.Hub} facade, its configuration and values, and the service provider
 * interfaces that transports, history logs and codecs implement. {@code io.herald.internal} is
 * not exported.
 */
module io.herald.core {
    requires transitive com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.herald;
    exports io.herald.spi;
}
