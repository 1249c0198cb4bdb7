package io.herald.internal;

/**
 * When the hub closes a WebSocket client as silent ({@code 1000 idle-timeout}), judged once per heartbeat
 * from what the heartbeat saw of the connection. Stateless.
 *
 * <p>A client is silent once nothing was heard from it for two heartbeats and, since it was last heard, one
 * of the hub's pings was written to it with a heartbeat to spare: the writer was found idle (every ping
 * queued before written) at a tick at least a heartbeat after the client was last heard. So a client is not
 * blamed for not answering pings that still wait in the server's queue, as they do when the server is
 * behind (a connection storm after a restart, when closing clients as idle would only bring them back).
 *
 * <p>A connection whose writes stopped completing is silent after four heartbeats without a word from the
 * client if for the last two no send of its completed: a client that stopped reading, on a container whose
 * writes never time out (Tyrus), is still let go, while one whose writes complete late but complete is not.
 */
final class IdleRule {
    private IdleRule() {
    }

    /**
     * @param now the heartbeat's time
     * @param heard when the client was last heard (the opening time before it said anything)
     * @param caughtUp the last earlier tick that found the writer idle (the opening time before any did)
     * @param progress the last tick, this one included, that found the writer idle or a send completed since
     *     the tick before (the opening time before any did)
     * @param heartbeat the heartbeat, at most a day
     * @return whether the client is to be closed as silent
     */
    static boolean silent(long now, long heard, long caughtUp, long progress, long heartbeat) {
        long silence = now - heard;
        if (silence <= 2 * heartbeat) {
            return false;
        }
        boolean pingWrittenInTime = caughtUp - heard > heartbeat;
        boolean stuck = silence > 4 * heartbeat && now - progress > 2 * heartbeat;
        return pingWrittenInTime || stuck;
    }
}
