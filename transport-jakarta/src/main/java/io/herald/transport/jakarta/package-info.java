/**
 * A thin Jakarta WebSocket adapter over the Herald core. {@link io.herald.transport.jakarta.HeraldWebSocket}
 * is the only entry point; everything else in this package is an implementation detail.
 */
package io.herald.transport.jakarta;
