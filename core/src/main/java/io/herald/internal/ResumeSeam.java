package io.herald.internal;

import io.herald.spi.Framing;
import io.herald.spi.HistoryLog;
import io.herald.spi.StoredEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What a resume queues at its seam: the replayed events and the live events held while the replay was read,
 * merged in log order with each id once, within the room the connection's queue has.
 *
 * <p>The held events are live events and are always queued, as live delivery would have queued them, and so
 * are the presence frames held with them, each just before the held event that followed it. The
 * events that only the replay has are queued as far as they fit the queue's spare room, newest first: when
 * they do not all fit, the oldest are left out and the resume is not recovered, which tells the client to
 * fetch its state afresh. Everything is queued at once under the publish lock and replayed frames are not
 * droppable, so a replay that is promised is never refused or dropped afterwards. (The alternative, feeding
 * the replay to the writer as the queue empties, would have to keep holding live events for as long as the
 * client takes to read it.)
 *
 * @param events what to queue after the answer, oldest first
 * @param replayed the replayed events among them, oldest first
 * @param complete whether every replayed event is among them
 */
record ResumeSeam(List<EncodedEvent> events, List<StoredEvent> replayed, boolean complete) {
    /**
     * Merges and fits. Called under the publish lock, which confines the held events.
     *
     * @param history orders ids
     * @param replay the events read from history, oldest first, encoded as not droppable
     * @param held the live events held, oldest first, with the frames that are no event where they came
     * @param framing the connection's framing
     * @param spareFrames how many more frames the connection's queue takes
     * @param spareBytes how many more bytes it takes
     * @return the seam
     */
    static ResumeSeam stitch(HistoryLog history, List<EncodedEvent> replay, List<EncodedEvent> held,
            Framing framing, long spareFrames, long spareBytes) {
        int n = replay.size() + held.size();
        EncodedEvent[] merged = new EncodedEvent[n];
        boolean[] onlyReplayed = new boolean[n];
        boolean[] replayed = new boolean[n];
        int m = 0;
        int r = 0;
        int h = 0;
        long frames = spareFrames;
        long bytes = spareBytes;
        // a held frame that is no event (presence) keeps its place just before the next held event
        String[] nextHeldId = new String[held.size() + 1];
        for (int i = held.size() - 1; i >= 0; i--) {
            StoredEvent e = held.get(i).event;
            nextHeldId[i] = e != null ? e.id() : nextHeldId[i + 1];
        }
        while (r < replay.size() || h < held.size()) {
            int order;
            if (r == replay.size()) {
                order = 1;
            } else if (h == held.size() || nextHeldId[h] == null) {
                order = -1;
            } else {
                order = history.compare(replay.get(r).event.id(), nextHeldId[h]);
                if (order == 0 && held.get(h).event == null) {
                    order = 1;
                }
            }
            replayed[m] = order <= 0;
            if (order < 0) {
                onlyReplayed[m] = true;
                merged[m++] = replay.get(r++);
                continue;
            }
            // held, and maybe replayed too: queued either way; the replay's copy is the one not droppable
            merged[m] = order == 0 ? replay.get(r++) : held.get(h);
            h++;
            frames--;
            bytes -= merged[m++].frame(framing).length();
        }
        boolean complete = true;
        for (int i = m - 1; i >= 0; i--) {
            if (!onlyReplayed[i]) {
                continue;
            }
            int length = merged[i].frame(framing).length();
            if (!complete || frames < 1 || bytes < length) {
                complete = false;
                merged[i] = null;
            } else {
                frames--;
                bytes -= length;
            }
        }
        List<EncodedEvent> events = new ArrayList<>(m);
        List<StoredEvent> queuedFromReplay = new ArrayList<>(replay.size());
        for (int i = 0; i < m; i++) {
            if (merged[i] != null) {
                events.add(merged[i]);
                if (replayed[i]) {
                    queuedFromReplay.add(merged[i].event);
                }
            }
        }
        return new ResumeSeam(events, queuedFromReplay, complete);
    }
}
