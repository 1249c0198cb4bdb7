package io.herald.internal;

/** The tests' oracle for pattern matching, written plainly and independently of {@link PatternIndex}. */
public final class ReferenceMatcher {
    private ReferenceMatcher() {
    }

    /**
     * Reference matcher, simple and slow: whether a topic matches a pattern. It backtracks
     * over every way a {@code **} can absorb segments, so a pattern with several {@code **} separated by
     * literals can take a millisecond on a sixteen-segment topic. Code that matches goes through a
     * {@link PatternIndex}, which explores each position of a {@code **} once.
     *
     * @param pattern a valid pattern
     * @param topic a valid topic
     * @return whether it matches
     */
    public static boolean matches(String pattern, String topic) {
        return matches(Topics.split(pattern), 0, Topics.split(topic), 0);
    }

    private static boolean matches(String[] p, int pi, String[] t, int ti) {
        while (pi < p.length) {
            String seg = p[pi];
            if (Topics.DOUBLE_STAR.equals(seg)) {
                // collapse consecutive ** so the recursion stays linear in practice
                while (pi + 1 < p.length && Topics.DOUBLE_STAR.equals(p[pi + 1])) {
                    pi++;
                }
                if (pi == p.length - 1) {
                    return true;
                }
                for (int k = ti; k <= t.length; k++) {
                    if (matches(p, pi + 1, t, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (ti >= t.length) {
                return false;
            }
            if (!Topics.STAR.equals(seg) && !seg.equals(t[ti])) {
                return false;
            }
            pi++;
            ti++;
        }
        return ti == t.length;
    }
}
