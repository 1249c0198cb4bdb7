/**
 * A thin Jakarta WebSocket adapter over the Herald core. {@link io.herald.transport.jakarta.HeraldWebSocket}
 * is the portable entry point, {@link io.herald.transport.jakarta.HeraldJettyWebSocket} the one for Jetty 12's
 * core WebSocket API; the implementation in {@code io.herald.transport.jakarta.internal} is not
 * exported.
 */
package io.herald.transport.jakarta;
