/**
 * A thin Jakarta WebSocket adapter over the Herald core. {@link io.herald.transport.jakarta.HeraldWebSocket}
 * is the only entry point; the implementation in {@code io.herald.transport.jakarta.internal} is not
 * exported.
 */
package io.herald.transport.jakarta;
