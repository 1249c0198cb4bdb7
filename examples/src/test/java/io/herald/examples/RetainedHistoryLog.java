package io.herald.examples;

import io.herald.spi.HistoryLog;
import io.herald.spi.Replay;
import io.herald.spi.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An unbounded in-memory history that outlives the hubs using it ({@link #close()} keeps everything), so
 * that a test can stop one hub and start another over the same history, as a restarted node does over a
 * persistent log. Ids are {@code r-<sequence>}. Thread-safe by one lock; for tests only.
 */
final class RetainedHistoryLog implements HistoryLog {
    private static final String PREFIX = "r-";
    private final List<StoredEvent> events = new ArrayList<>();

    @Override
    public synchronized StoredEvent append(String topic, byte[] data, long timestamp, String room, String from,
            String to) {
        StoredEvent event = new StoredEvent(PREFIX + (events.size() + 1), topic, data, timestamp, room, from, to);
        events.add(event);
        return event;
    }

    @Override
    public synchronized Replay readAfter(String id, Predicate<StoredEvent> matcher, int limit) {
        long seq = sequence(id);
        if (seq < 0 || seq > events.size()) {
            return new Replay(false, List.of());
        }
        List<StoredEvent> after = new ArrayList<>();
        for (StoredEvent e : events.subList((int) seq, events.size())) {
            if (matcher.test(e)) {
                after.add(e);
            }
        }
        if (after.size() > limit) {
            return new Replay(false, after.subList(after.size() - limit, after.size()));
        }
        return new Replay(true, after);
    }

    @Override
    public int compare(String a, String b) {
        long x = sequence(a);
        long y = sequence(b);
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("not ids of this log: " + a + ", " + b);
        }
        return Long.compare(x, y);
    }

    @Override
    public String epoch() {
        return "r";
    }

    private static long sequence(String id) {
        if (id == null || !id.startsWith(PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Keeps the events: the next hub reads on where this one stopped. */
    @Override
    public void close() {
    }
}
