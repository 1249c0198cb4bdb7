package io.herald.benchmarks.load;

import java.util.Arrays;

/**
 * When each event's first and last deliveries arrived (publish → receive, microseconds), for scenarios in
 * which every subscriber receives every event and event {@code n} carries sequence number {@code n}. The
 * histogram of all deliveries says how late deliveries were; this says which part of an event's journey
 * made them late: the path to the first subscriber (reading the publish, queueing, handing over) or the
 * time the server takes to write every subscriber. Recorded from the load client's threads, read after
 * the run.
 */
final class EventSpread {
    private final long[] first;
    private final long[] last;

    /** @param events how many events are tracked, numbered from 0; later ones are ignored */
    EventSpread(int events) {
        first = new long[events];
        last = new long[events];
        Arrays.fill(first, Long.MAX_VALUE);
        Arrays.fill(last, -1);
    }

    synchronized void record(long seq, long micros) {
        if (seq >= 0 && seq < first.length) {
            int i = (int) seq;
            first[i] = Math.min(first[i], micros);
            last[i] = Math.max(last[i], micros);
        }
    }

    /**
     * @param from the first event of the measured run
     * @param to the event after its last
     * @return a one-line summary of the events in {@code [from, to)} that arrived anywhere
     */
    synchronized String summary(long from, long to) {
        int a = (int) Math.min(Math.max(from, 0), first.length);
        int b = (int) Math.min(Math.max(to, a), first.length);
        long[] f = Arrays.stream(first, a, b).filter(v -> v != Long.MAX_VALUE).sorted().toArray();
        long[] l = Arrays.stream(last, a, b).filter(v -> v >= 0).sorted().toArray();
        if (f.length == 0) {
            return "per event: no event arrived";
        }
        return String.format("per event (%d events), µs: first delivery p50=%d p90=%d max=%d; "
                + "last delivery p50=%d p90=%d p99=%d max=%d", f.length, at(f, 0.5), at(f, 0.9), f[f.length - 1],
                at(l, 0.5), at(l, 0.9), at(l, 0.99), l[l.length - 1]);
    }

    private static long at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
