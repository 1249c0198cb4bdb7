/**
 * The SSE servlet, its transport and HTTP helpers. Not exported; reached only through
 * {@code io.herald.transport.sse.HeraldSse}.
 */
package io.herald.transport.sse.internal;
