package io.herald.transport.jakarta.internal;

/**
 * Tells, frame by frame, whether a connection's client has sent more than the frame just parsed: Jetty reads
 * a socket's whole backlog at once and then hands over frame after frame, and this compares the bytes of the
 * frames handed over with the bytes Jetty has read. When more has been read, the hub may hold its answers
 * back and write them together once the last of those frames is handled.
 *
 * <p>Each frame counts with its length in the shortest form, as RFC 6455 requires. Jetty reads again only
 * once it has parsed everything it had read, so when Jetty's count has moved, the frames before this one are
 * counted as having used all the bytes of the reads before. The count can still be off: short for a client
 * that used a longer length form, long for a frame split across two reads (part of it was in the earlier
 * read) or for bytes Jetty received with the upgrade request. Either way it is right again after Jetty's next
 * read, and it never exceeds Jetty's count. Counting short makes the hub hold its writes until its own timer
 * ends the hold, counting long makes it write sooner; neither loses or reorders anything.
 *
 * <p>One instance per connection, used by the thread handling its frames (one at a time).
 */
final class ReadAhead {
    private long consumed;
    private long filled;

    /**
     * Counts one frame.
     *
     * @param read the bytes Jetty has read from the connection so far, this frame's included
     * @param payloadLength the frame's payload length
     * @param masked whether the frame carried a mask (every client frame does)
     * @return whether Jetty has read bytes beyond this frame
     */
    boolean more(long read, int payloadLength, boolean masked) {
        int n = payloadLength;
        long before = consumed;
        if (read != filled) {
            before = Math.max(before, filled);
            filled = read;
        }
        consumed = Math.min(before + n + 2 + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8) + (masked ? 4 : 0), read);
        return consumed < read;
    }
}
