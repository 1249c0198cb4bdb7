package io.herald.internal;

import io.herald.spi.HistoryLog;
import io.herald.spi.Replay;
import io.herald.spi.StoredEvent;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The default {@link HistoryLog}: a fixed-size ring holding the newest events of this process.
 *
 * <p><b>Ids</b> are {@code <epoch>-<seq>}: the epoch is 8 lowercase hex digits drawn from
 * {@link SecureRandom} for each instance, the sequence a decimal {@code long} that starts at 1 and grows by
 * one per append, written without sign or leading zeros. Any other spelling is malformed.
 *
 * <p><b>Retention</b>: at most {@code capacity} events, and none older than {@code maxAge}. An event's age
 * is measured from its append, read on the injected clock (clamped so it never goes back), not from the
 * caller's {@code timestamp}; it is evicted once its age exceeds {@code maxAge}, so an event exactly
 * {@code maxAge} old is still replayed. Count eviction happens on append, age eviction on append and on
 * read. An evicted slot is set to {@code null} at once, so its payload can be collected; the ring is
 * allocated once and never grows.
 *
 * <p><b>Thread-safety</b>: one {@link ReentrantLock} guards the ring. {@link #append} holds it for a
 * constant-time store plus eviction. {@link #readAfter} holds it only to evict expired events, seek to the
 * slot after the id by sequence arithmetic, and copy the references from there to the newest event into a
 * local array (at most {@code capacity} references, two {@code arraycopy} calls); it then applies the
 * matcher with no lock held, so a slow matcher never delays the writer and readers never see a slot being
 * written. A read-write lock is not used because reads also evict, which is a write, and the copy is short.
 */
public final class InMemoryHistoryLog implements HistoryLog {
    private static final SecureRandom EPOCHS = new SecureRandom();
    private static final int MAX_SEQ_DIGITS = 19;
    private static final StoredEvent[] NONE = new StoredEvent[0];
    private static final Replay UNKNOWN = new Replay(false, List.of());

    private final StoredEvent[] ring;
    private final long[] appendedAt;
    private final long maxAgeMillis;
    private final Clock clock;
    private final String epoch;
    private final String idPrefix;
    private final ReentrantLock lock = new ReentrantLock();

    /** Sequence of the newest event ever appended, 0 before the first. Guarded by {@link #lock}. */
    private long lastSeq;
    /** Sequence of the oldest retained event, {@code lastSeq + 1} when none is. Guarded by {@link #lock}. */
    private long firstSeq = 1;
    /**
     * Sequence of the newest topic event evicted (room and direct events are never replayed, so losing them
     * leaves a replay complete), 0 before the first. Guarded by {@link #lock}.
     */
    private long lastEvictedTopicSeq;
    /** Clock reading of the newest append, never decreasing. Guarded by {@link #lock}. */
    private long lastAppendMillis = Long.MIN_VALUE;

    /**
     * Creates an empty log with a new random epoch.
     *
     * @param capacity the most events retained; at least 1; the ring of this size is allocated now
     * @param maxAge how long an event is retained after its append; at least 1 millisecond
     * @param clock the clock that ages events
     * @throws IllegalArgumentException naming the parameter when one is out of range or {@code null}
     */
    public InMemoryHistoryLog(int capacity, Duration maxAge, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (maxAge == null || maxAge.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("maxAge must be at least 1 millisecond, was " + maxAge);
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null");
        }
        this.ring = new StoredEvent[capacity];
        this.appendedAt = new long[capacity];
        this.maxAgeMillis = saturatedMillis(maxAge);
        this.clock = clock;
        this.epoch = String.format("%08x", EPOCHS.nextInt());
        this.idPrefix = epoch + "-";
    }

    /**
     * Stores the event in the ring, evicting the oldest when the ring is full and any that have expired.
     * Never blocks on I/O; holds the log's lock for constant time plus the evictions. Thread-safe.
     *
     * @throws IllegalArgumentException if {@code topic} or {@code data} is {@code null}
     */
    @Override
    public StoredEvent append(String topic, byte[] data, long timestamp, String room, String from, String to) {
        long now = clock.millis();
        lock.lock();
        try {
            long seq = lastSeq + 1;
            StoredEvent event = new StoredEvent(idPrefix + seq, topic, data, timestamp, room, from, to);
            long appended = Math.max(now, lastAppendMillis);
            evictExpired(appended);
            if (lastSeq - firstSeq + 1 == ring.length) {
                evictOldest();
            }
            int slot = slot(seq);
            ring[slot] = event;
            appendedAt[slot] = appended;
            lastSeq = seq;
            lastAppendMillis = appended;
            return event;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replays the events after {@code id}. An id of this epoch is recovered when no topic event after it has
     * been evicted (an id whose own event was the last one evicted still is): room and direct events are
     * never replayed, so their eviction loses nothing a resume wants; an id of another epoch, a malformed
     * one, or one newer than the newest assigned gets an unrecovered, empty replay. The matcher runs on the
     * calling thread with no lock held, newest event first, and is not called again once {@code limit + 1}
     * events matched. Never blocks on I/O. Thread-safe.
     *
     * @param limit the most events to return; at least 0
     * @throws NullPointerException if {@code id} or {@code matcher} is {@code null}
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    @Override
    public Replay readAfter(String id, Predicate<StoredEvent> matcher, int limit) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(matcher, "matcher");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        long seq = parseSeq(id);
        if (seq < 1) {
            return UNKNOWN;
        }
        long now = clock.millis();
        StoredEvent[] candidates;
        boolean complete;
        lock.lock();
        try {
            evictExpired(now);
            if (seq > lastSeq) {
                return UNKNOWN;
            }
            complete = seq >= lastEvictedTopicSeq;
            candidates = copyFrom(Math.max(seq + 1, firstSeq));
        } finally {
            lock.unlock();
        }
        return select(candidates, matcher, limit, complete);
    }

    /**
     * Orders two ids of this epoch by their sequence. Thread-safe; takes no lock.
     *
     * @throws IllegalArgumentException if either is {@code null}, malformed or of another epoch
     */
    @Override
    public int compare(String a, String b) {
        return Long.compare(requireSeq(a), requireSeq(b));
    }

    /** @return the 8 lowercase hex digits chosen when this log was created; thread-safe */
    @Override
    public String epoch() {
        return epoch;
    }

    /**
     * Counts the slots that still reference an event, for tests of eviction.
     *
     * @return the number of non-null slots in the ring
     */
    int occupiedSlots() {
        lock.lock();
        try {
            int occupied = 0;
            for (StoredEvent event : ring) {
                if (event != null) {
                    occupied++;
                }
            }
            return occupied;
        } finally {
            lock.unlock();
        }
    }

    private static Replay select(StoredEvent[] candidates, Predicate<StoredEvent> matcher, int limit,
            boolean complete) {
        List<StoredEvent> newestFirst = new ArrayList<>(Math.min(limit, candidates.length));
        boolean overflow = false;
        for (int i = candidates.length - 1; i >= 0; i--) {
            if (matcher.test(candidates[i])) {
                if (newestFirst.size() == limit) {
                    overflow = true;
                    break;
                }
                newestFirst.add(candidates[i]);
            }
        }
        Collections.reverse(newestFirst);
        return new Replay(complete && !overflow, newestFirst);
    }

    /** Copies the retained events from {@code fromSeq} to the newest; the lock must be held. */
    private StoredEvent[] copyFrom(long fromSeq) {
        long count = lastSeq - fromSeq + 1;
        if (count <= 0) {
            return NONE;
        }
        int n = (int) count;
        StoredEvent[] copy = new StoredEvent[n];
        int start = slot(fromSeq);
        int head = Math.min(n, ring.length - start);
        System.arraycopy(ring, start, copy, 0, head);
        System.arraycopy(ring, 0, copy, head, n - head);
        return copy;
    }

    /** Evicts from the oldest end every event older than {@code maxAge} at {@code now}; the lock must be held. */
    private void evictExpired(long now) {
        while (firstSeq <= lastSeq && now - appendedAt[slot(firstSeq)] > maxAgeMillis) {
            evictOldest();
        }
    }

    /** Evicts the oldest retained event; the lock must be held and the ring non-empty. */
    private void evictOldest() {
        int slot = slot(firstSeq);
        StoredEvent gone = ring[slot];
        if (gone.room() == null && gone.to() == null) {
            lastEvictedTopicSeq = firstSeq;
        }
        ring[slot] = null;
        firstSeq++;
    }

    private int slot(long seq) {
        return (int) ((seq - 1) % ring.length);
    }

    /** @return the sequence of an id of this epoch, or -1 when the id is malformed or of another epoch */
    private long parseSeq(String id) {
        int prefix = idPrefix.length();
        int digits = id.length() - prefix;
        if (digits < 1 || digits > MAX_SEQ_DIGITS || !id.startsWith(idPrefix) || id.charAt(prefix) == '0') {
            return -1;
        }
        for (int i = prefix; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(id, prefix, id.length(), 10);
        } catch (NumberFormatException tooLarge) {
            return -1;
        }
    }

    private long requireSeq(String id) {
        long seq = id == null ? -1 : parseSeq(id);
        if (seq < 1) {
            throw new IllegalArgumentException("not an id of epoch " + epoch + ": " + id);
        }
        return seq;
    }

    private static long saturatedMillis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
