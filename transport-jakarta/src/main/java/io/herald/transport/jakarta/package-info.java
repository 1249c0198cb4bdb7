/** Filled by its own issue; present so the reactor builds. */
package io.herald.transport.jakarta;
