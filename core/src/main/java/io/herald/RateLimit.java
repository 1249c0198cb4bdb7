package io.herald;

/**
 * A token bucket: {@code perSecond} tokens are added each second up to {@code burst}; each request takes one.
 *
 * @param perSecond sustained rate, requests per second; must be positive
 * @param burst bucket capacity, requests; must be at least 1
 */
public record RateLimit(double perSecond, int burst) {
    /** No limit. */
    public static final RateLimit UNLIMITED = new RateLimit(Double.POSITIVE_INFINITY, Integer.MAX_VALUE);

    /** Validates the values. */
    public RateLimit {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("perSecond must be positive, was " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
    }

    /**
     * @param perSecond sustained rate
     * @param burst capacity
     * @return the limit
     */
    public static RateLimit of(double perSecond, int burst) {
        return new RateLimit(perSecond, burst);
    }

    /** @return whether this is {@link #UNLIMITED} */
    public boolean unlimited() {
        return Double.isInfinite(perSecond);
    }
}
