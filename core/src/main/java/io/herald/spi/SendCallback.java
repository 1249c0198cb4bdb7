package io.herald.spi;

/**
 * Completion of one {@link Transport#send} call. Exactly one of the two methods is called, once, on any
 * thread (often a container I/O thread, sometimes the calling thread before {@code send} returns).
 * Implementations return quickly and never block.
 */
public interface SendCallback {
    /** Every frame of the batch was handed to the network. */
    void completed();

    /**
     * The batch could not be written; the connection is unusable.
     *
     * @param cause what went wrong
     */
    void failed(Throwable cause);
}
