package io.herald.benchmarks.load;

/**
 * A log-linear latency histogram in microseconds (1 µs resolution to 1 ms, then 1 % buckets up to 100 s).
 * Recorded from one thread, read after the run; a client with several threads keeps one per thread
 * and merges them.
 */
final class Histogram {
    private static final int LINEAR = 1_000;
    private static final double GROWTH = 1.01;
    private final long[] counts = new long[LINEAR + 1_200];
    private long total;
    private long max;

    void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
    }

    private static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int i = LINEAR + (int) (Math.log((double) v / LINEAR) / Math.log(GROWTH));
        return Math.min(i, LINEAR + 1_199);
    }

    private static long valueAt(int i) {
        return i < LINEAR ? i : (long) (LINEAR * Math.pow(GROWTH, i - LINEAR + 1));
    }

    /** @return the value at quantile {@code q} (0..1), microseconds; 0 when empty */
    long quantile(double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && seen > 0) {
                return Math.min(valueAt(i), max);
            }
        }
        return max;
    }

    /** Adds another histogram's samples to this one (read the other after its recording stopped). */
    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    /** Forgets everything recorded so far (after a warm-up). Call from the recording thread's owner only
     *  when recording has paused, or accept a few samples racing the reset. */
    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    long max() {
        return max;
    }

    long count() {
        return total;
    }
}
