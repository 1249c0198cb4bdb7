package io.herald.internal;

import io.herald.RateLimit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * A token bucket for one client, kept as the generic cell rate algorithm: the whole state is one
 * {@code long}, the instant (on the injected nanosecond clock) at which the bucket will be full again. A
 * request is granted when, after taking its token, the bucket would be full no later than
 * {@code (burst - 1)} token intervals from now; granting moves that instant one interval later. An idle
 * bucket's instant lies in the past, which is the same as a full bucket, so no token count and no refill
 * timer are needed.
 *
 * <p>The token interval is {@code 1 / perSecond} seconds rounded to the nearest nanosecond (at least 1);
 * intervals and the burst window are capped at 2<sup>60</sup> and 2<sup>61</sup> nanoseconds (decades) so
 * the arithmetic cannot overflow. {@link RateLimit#UNLIMITED} grants every request without reading the
 * clock or touching the state.
 *
 * <p>Thread-safe and lock-free: {@link #tryAcquire} is one read of the clock and a compare-and-set loop on
 * one {@code long} field (a {@link VarHandle}, not an {@code AtomicLong}: every connection has a bucket, and
 * the extra object would cost each of them 16 bytes); under contention no more tokens are granted than the limit allows.
 */
public final class TokenBucket {
    /** The state of a bucket that {@link KeyedRateLimiter} has retired; never a real instant. */
    static final long RETIRED = Long.MIN_VALUE;
    private static final long MAX_INTERVAL = 1L << 60;
    private static final long MAX_WINDOW = 1L << 61;
    private static final VarHandle FULL_AT;

    static {
        try {
            FULL_AT = MethodHandles.lookup().findVarHandle(TokenBucket.class, "fullAt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LongSupplier nanoTime;
    private final boolean unlimited;
    private final long interval;
    private final long tolerance;
    private volatile long fullAt;

    /**
     * Creates a full bucket.
     *
     * @param limit the sustained rate and the burst
     * @param nanoTime a monotonic clock in nanoseconds, such as {@code System::nanoTime}
     * @throws IllegalArgumentException naming the parameter when one is {@code null}
     */
    public TokenBucket(RateLimit limit, LongSupplier nanoTime) {
        this(limit, nanoTime, limit == null || limit.unlimited() || nanoTime == null ? 0 : nanoTime.getAsLong());
    }

    /** Creates a bucket that is full at {@code now}. */
    TokenBucket(RateLimit limit, LongSupplier nanoTime, long now) {
        if (limit == null) {
            throw new IllegalArgumentException("limit must not be null");
        }
        if (nanoTime == null) {
            throw new IllegalArgumentException("nanoTime must not be null");
        }
        this.nanoTime = nanoTime;
        this.unlimited = limit.unlimited();
        this.interval = intervalNanos(limit);
        long burstWindow = limit.burst() - 1L;
        if (unlimited) {
            this.tolerance = 0;
        } else {
            this.tolerance = burstWindow > MAX_WINDOW / interval ? MAX_WINDOW : burstWindow * interval;
        }
        this.fullAt = notRetired(now);
    }

    /**
     * Takes a token if one is available. Lock-free and thread-safe; never blocks.
     *
     * @return 0 when a token was taken, else the nanoseconds until one will be available (always positive)
     */
    public long tryAcquire() {
        if (unlimited) {
            return 0;
        }
        return acquireUnlessRetired(nanoTime.getAsLong());
    }

    /**
     * The nanoseconds one token takes to refill: {@code 1 / perSecond} seconds, rounded to the nearest
     * nanosecond, at least 1, at most 2<sup>60</sup>. Thread-safe.
     *
     * @param limit a rate limit
     * @return the token interval in nanoseconds; 0 for {@link RateLimit#UNLIMITED}
     */
    public static long intervalNanos(RateLimit limit) {
        if (limit.unlimited()) {
            return 0;
        }
        double nanos = Math.rint(1e9 / limit.perSecond());
        return nanos >= MAX_INTERVAL ? MAX_INTERVAL : Math.max(1, (long) nanos);
    }

    /**
     * Says whether a token is available at {@code now}, taking none.
     *
     * @return 0 when one is (or the bucket is retired: a new one would be full), else the positive
     *     nanoseconds until one will be
     */
    long waitAt(long now) {
        long full = fullAt;
        if (unlimited || full == RETIRED) {
            return 0;
        }
        long ahead = Math.max(0, full - now);
        return ahead > tolerance ? ahead - tolerance : 0;
    }

    /**
     * Takes a token at {@code now} unless the bucket is retired.
     *
     * @return 0 when granted, the positive nanoseconds until a token is available when denied, or -1 when
     *     the bucket is retired
     */
    long acquireUnlessRetired(long now) {
        return take(now, false);
    }

    /**
     * Takes a token at {@code now} even when none is available, unless the bucket is retired. A bucket
     * charged past empty is in debt: it grants nothing until the refill rate has paid the debt back. The
     * debt stops growing at about 2<sup>61</sup> nanoseconds.
     *
     * @return 0 when charged, or -1 when the bucket is retired
     */
    long chargeUnlessRetired(long now) {
        return take(now, true);
    }

    private long take(long now, boolean evenIfEmpty) {
        if (unlimited) {
            return 0;
        }
        while (true) {
            long full = fullAt;
            if (full == RETIRED) {
                return -1;
            }
            long ahead = Math.max(0, full - now);
            if (ahead > tolerance && !evenIfEmpty) {
                return ahead - tolerance;
            }
            // ahead exceeds MAX_WINDOW only in debt: it stops growing there, so the sum cannot overflow
            long next = ahead > MAX_WINDOW ? now + ahead : now + ahead + interval;
            if (FULL_AT.compareAndSet(this, full, notRetired(next))) {
                return 0;
            }
        }
    }

    /**
     * Retires the bucket if it is full at {@code now}, so that it grants nothing more; a retired bucket stays
     * retired.
     *
     * @return whether the bucket is retired
     */
    boolean retireIfFull(long now) {
        while (true) {
            long full = fullAt;
            if (full == RETIRED) {
                return true;
            }
            if (full - now > 0) {
                return false;
            }
            if (FULL_AT.compareAndSet(this, full, RETIRED)) {
                return true;
            }
        }
    }

    /** @return the instant in nanoseconds at which the bucket is full, or {@link #RETIRED} */
    long fullAt() {
        return fullAt;
    }

    private static long notRetired(long instant) {
        return instant == RETIRED ? instant + 1 : instant;
    }
}
