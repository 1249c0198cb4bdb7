package io.herald.internal;

import io.herald.RateLimit;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per key (a client IP for handshakes, a user id for publishes), in a table that
 * never holds more than {@code maxKeys} buckets.
 *
 * <p>When the table is full and a new key arrives, buckets that have fully refilled are swept out first:
 * a full bucket is the same as a fresh one, so forgetting it loses nothing. If the table is still full, the
 * new key <b>fails closed</b>: it is denied and told to retry after one token interval, so a flood of new
 * keys can neither grow memory nor push out the buckets of clients that are being limited. Sweeps are
 * throttled: after a sweep that freed nothing, the next one waits until the earliest remaining bucket can
 * have refilled, unless a bucket was added since; only one thread sweeps at a time, and a new key that
 * finds the table full while another thread sweeps is denied.
 *
 * <p>Thread-safe. {@link #tryAcquire} for a known key takes no lock (a map read and the bucket's
 * compare-and-set); a new key is added with {@link ConcurrentHashMap#computeIfAbsent}, which locks the
 * key's bin briefly, after reserving one of the {@code maxKeys} slots. A bucket is retired (it grants
 * nothing more) before it is removed, so a thread still holding it retries with the key's new bucket
 * instead of taking a token the limit does not allow.
 */
public final class KeyedRateLimiter {
    private static final int MAX_ATTEMPTS = 8;

    private final RateLimit limit;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final long denial;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicLong insertions = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile SweepHint hint = new SweepHint(-1, 0);

    /**
     * Creates an empty limiter.
     *
     * @param limit the limit each key gets
     * @param maxKeys the most keys tracked at once; at least 1
     * @param nanoTime a monotonic clock in nanoseconds, such as {@code System::nanoTime}
     * @throws IllegalArgumentException naming the parameter when one is out of range or {@code null}
     */
    public KeyedRateLimiter(RateLimit limit, int maxKeys, LongSupplier nanoTime) {
        if (limit == null) {
            throw new IllegalArgumentException("limit must not be null");
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
        }
        if (nanoTime == null) {
            throw new IllegalArgumentException("nanoTime must not be null");
        }
        this.limit = limit;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
        this.denial = TokenBucket.intervalNanos(limit);
    }

    /**
     * Takes a token from the key's bucket, creating the bucket (full) for a new key if there is room.
     * Thread-safe; never blocks. {@link RateLimit#UNLIMITED} grants every request and stores nothing.
     *
     * @param key the client's key
     * @return 0 when a token was taken, else the nanoseconds until one will be available (always positive);
     *     a new key that finds the table full gets one token interval, as does a request whose bucket
     *     concurrent sweeps retired several times over
     * @throws NullPointerException if {@code key} is {@code null}
     */
    public long tryAcquire(String key) {
        return take(key, false);
    }

    /**
     * Takes a token from the key's bucket even when it has none: the key then waits until the refill rate
     * has paid the debt back. For costs that were already incurred, such as credentials that were judged
     * and refused. Thread-safe; never blocks.
     *
     * @param key the client's key
     * @return 0 when charged, else (a new key finding the table full) the nanoseconds of one token interval
     * @throws NullPointerException if {@code key} is {@code null}
     */
    public long charge(String key) {
        return take(key, true);
    }

    private long take(String key, boolean evenIfEmpty) {
        Objects.requireNonNull(key, "key");
        if (limit.unlimited()) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            TokenBucket bucket = buckets.get(key);
            if (bucket == null) {
                if (!reserve() && !(sweep(now) && reserve())) {
                    return denial;
                }
                boolean[] created = new boolean[1];
                bucket = buckets.computeIfAbsent(key, k -> {
                    created[0] = true;
                    return newBucketWithTokenTaken();
                });
                if (created[0]) {
                    insertions.incrementAndGet();
                    return 0;
                }
                reserved.decrementAndGet();
            }
            long wait = evenIfEmpty ? bucket.chargeUnlessRetired(now) : bucket.acquireUnlessRetired(now);
            if (wait >= 0) {
                return wait;
            }
            remove(key, bucket);
        }
        return denial;
    }

    /**
     * Says whether the key could take a token now, taking none and storing nothing. Thread-safe.
     *
     * @param key the client's key
     * <p>A key with no bucket could, unless the table is full and a sweep frees no room for it: then it gets
     * one token interval, as {@link #tryAcquire} would answer, so that a key the table cannot track fails
     * closed here too instead of going uncounted.
     *
     * @return 0 when it could, else the nanoseconds until it could
     * @throws NullPointerException if {@code key} is {@code null}
     */
    public long waitFor(String key) {
        Objects.requireNonNull(key, "key");
        if (limit.unlimited()) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        TokenBucket bucket = buckets.get(key);
        if (bucket != null) {
            return bucket.waitAt(now);
        }
        return reserved.get() < maxKeys || (sweep(now) && reserved.get() < maxKeys) ? 0 : denial;
    }

    /**
     * Counts the keys tracked now. Thread-safe; a snapshot that concurrent calls may change at once.
     *
     * @return the number of buckets in the table, at most {@code maxKeys}
     */
    public int size() {
        return buckets.size();
    }

    /**
     * Creates a bucket, full when it is created, and takes the first token. Called under the map's lock for
     * the key, so the clock is read after any earlier bucket of the key was removed, and so no earlier than
     * the instant that bucket was full at: the two buckets never cover the same time.
     */
    private TokenBucket newBucketWithTokenTaken() {
        long created = nanoTime.getAsLong();
        TokenBucket bucket = new TokenBucket(limit, nanoTime, created);
        bucket.acquireUnlessRetired(created);
        return bucket;
    }

    private boolean reserve() {
        while (true) {
            int taken = reserved.get();
            if (taken >= maxKeys) {
                return false;
            }
            if (reserved.compareAndSet(taken, taken + 1)) {
                return true;
            }
        }
    }

    private void remove(String key, TokenBucket bucket) {
        if (buckets.remove(key, bucket)) {
            reserved.decrementAndGet();
        }
    }

    /**
     * Removes the buckets that are full at {@code now}, unless the last sweep showed none can be yet.
     *
     * @return whether a sweep ran
     */
    private boolean sweep(long now) {
        SweepHint last = hint;
        if (last.insertions() == insertions.get() && last.notBefore() - now > 0) {
            return false;
        }
        if (!sweeping.compareAndSet(false, true)) {
            return false;
        }
        try {
            long seen = insertions.get();
            long earliest = 0;
            boolean anyLeft = false;
            for (Map.Entry<String, TokenBucket> entry : buckets.entrySet()) {
                TokenBucket bucket = entry.getValue();
                if (bucket.retireIfFull(now)) {
                    remove(entry.getKey(), bucket);
                } else {
                    long fullAt = bucket.fullAt();
                    if (!anyLeft || fullAt - earliest < 0) {
                        earliest = fullAt;
                        anyLeft = true;
                    }
                }
            }
            hint = new SweepHint(seen, anyLeft ? earliest : now);
            return true;
        } finally {
            sweeping.set(false);
        }
    }

    /**
     * What the last sweep learnt: no bucket present then is full before {@code notBefore}; valid while no
     * bucket has been added since, i.e. while the insertion count is unchanged.
     */
    private record SweepHint(long insertions, long notBefore) {
    }
}
