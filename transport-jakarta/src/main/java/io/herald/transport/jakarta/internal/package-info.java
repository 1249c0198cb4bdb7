/**
 * The adapter's implementation: endpoint, configurator, transport, handshake filter. Not exported; public
 * types here are public only so that containers can reach them reflectively.
 */
package io.herald.transport.jakarta.internal;
