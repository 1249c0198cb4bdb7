package io.herald.internal;

/**
 * What the heartbeat knows about whether one client is still there and whether its writes go on, and when
 * it closes a WebSocket client as silent ({@code 1000 idle-timeout}) or any client as stalled. Heartbeat
 * thread only: {@link #tick} once per heartbeat, then {@link #pingOffered} when that heartbeat's ping was
 * queued.
 *
 * <p>A client is silent once nothing was heard from it for more than two heartbeats, and a ping queued after
 * it was last heard was written to it (its writer's count of written pings reached that ping) at a tick at
 * least a heartbeat ago. So a client is not blamed for not answering pings that still wait in the server's
 * queue, as they do when the server is behind (a connection storm after a restart, when closing clients as
 * idle would only bring them back), nor for ticks that came late and back to back.
 *
 * <p>A connection whose writes stopped completing is closed too, once the client was silent for more than
 * four heartbeats and none of its sends completed for more than two (and the writer was not idle): a client
 * that stopped reading, on a container whose writes never time out, is still let go. One whose writes
 * complete, however slowly, gets to its ping in the end, bounded by its queue.
 *
 * <p>A client that is heard (its pongs count) but whose writes stopped completing is not silent, yet reads
 * nothing: {@link #stalled} tells the heartbeat to cut it as a slow consumer. An SSE client is never heard;
 * the heartbeat judges only its writes, with {@link #stalled}.
 */
final class IdleWatch {
    /** The client's last activity as of the last tick. */
    private long heard;
    private long pingsOffered;
    /** The number of the first ping queued after {@link #heard}; 0 for none yet. */
    private long awaited;
    private boolean awaitedWritten;
    /** The tick that first saw {@link #awaited} written. */
    private long awaitedWrittenSeen;
    /** The last tick that found the writer idle or a send completed since the tick before. */
    private long progress;
    /** The first tick since {@link #progress} that found none; meaningful while {@link #noProgress}. */
    private long noProgressSince;
    private boolean noProgress;
    private int completionsSeen;

    /** @param openedAt when the connection opened, in the hub's nanoseconds */
    IdleWatch(long openedAt) {
        this.heard = openedAt;
        this.progress = openedAt;
    }

    /**
     * Takes in what the heartbeat sees and judges the client.
     *
     * @param now the tick's time
     * @param lastHeard the client's last activity
     * @param pingsWritten how many pings the connection's writer has written
     * @param completions how many of its sends have completed
     * @param writerIdle whether no send is in flight: nothing queued, or the writer waits for the server
     * @param heartbeat the heartbeat, at most a day
     * @return whether the client is silent and is to be closed
     */
    boolean tick(long now, long lastHeard, long pingsWritten, int completions, boolean writerIdle, long heartbeat) {
        if (lastHeard != heard) {
            heard = lastHeard;
            awaited = 0;
            awaitedWritten = false;
        }
        if (writerIdle || completions != completionsSeen) {
            progress = now;
            completionsSeen = completions;
            noProgress = false;
        } else if (!noProgress) {
            noProgress = true;
            noProgressSince = now;
        }
        if (awaited != 0 && !awaitedWritten && pingsWritten >= awaited) {
            awaitedWritten = true;
            awaitedWrittenSeen = now;
        }
        long silence = now - heard;
        if (silence <= 2 * heartbeat) {
            return false;
        }
        if (awaitedWritten && now - awaitedWrittenSeen >= heartbeat) {
            return true;
        }
        return silence > 4 * heartbeat && now - progress > 2 * heartbeat;
    }

    /**
     * Whether the connection's writes stopped: as of the last {@link #tick}, a send was in flight and none
     * completed for more than {@code limit}, however recently the client was heard, and a tick at least a
     * heartbeat before already found none (ticks that come back to back after a pause judge nobody).
     *
     * @param now the last tick's time
     * @param limit the longest time a send may stay in flight without a completed send
     * @param heartbeat the heartbeat
     */
    boolean stalled(long now, long limit, long heartbeat) {
        // (a tick that found no send in flight set progress to its time)
        return noProgress && now - progress > limit && now - noProgressSince >= heartbeat;
    }

    /** This tick's ping was queued behind everything the connection's writer has still to write. */
    void pingOffered() {
        pingsOffered++;
        if (awaited == 0) {
            awaited = pingsOffered;
        }
    }
}
