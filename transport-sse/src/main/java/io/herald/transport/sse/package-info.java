/**
 * Server-Sent Events for a Herald hub: {@link io.herald.transport.sse.HeraldSse} is the whole API.
 */
package io.herald.transport.sse;
