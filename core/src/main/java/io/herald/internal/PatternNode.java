package io.herald.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node of the {@link PatternIndex} trie: the pattern prefix that leads to it, its children by segment
 * and the values whose pattern ends here.
 *
 * <p>Reads ({@link #child}, {@link #star}, {@link #doubleStar}, {@link #forEachValue}) take no lock and see
 * a consistent snapshot. Every change happens while holding this node's monitor; a change that also
 * detaches the node from its parent holds the parent's monitor first, then this one. A node once
 * {@link #dead detached} never changes again and never holds values.
 */
final class PatternNode {
    /** Up to this many literal children sit in a copy-on-write array; more move to a concurrent map. */
    private static final int SMALL = 8;

    final PatternNode parent;
    final String segment;
    private final int hash;

    /** {@code null}, a copy-on-write {@code PatternNode[]} of at most {@link #SMALL}, or a concurrent map. */
    private volatile Object literals;
    volatile PatternNode star;
    volatile PatternNode doubleStar;
    private volatile Values values;

    /** Whether this node is detached from the trie; guarded by this node's monitor. */
    boolean dead;

    PatternNode(PatternNode parent, String segment) {
        this.parent = parent;
        this.segment = segment;
        this.hash = segment == null ? 0 : segment.hashCode();
    }

    /** The child reached by the literal segment, or {@code null}. Lock-free, allocation-free. */
    PatternNode child(String seg) {
        Object l = literals;
        if (l == null) {
            return null;
        }
        if (l instanceof PatternNode[]) {
            int h = seg.hashCode();
            for (PatternNode c : (PatternNode[]) l) {
                if (c.hash == h && c.segment.equals(seg)) {
                    return c;
                }
            }
            return null;
        }
        return literalMap(l).get(seg);
    }

    /** The child for a pattern segment ({@code *}, {@code **} or a literal), or {@code null}. */
    PatternNode next(String seg) {
        if (Topics.STAR.equals(seg)) {
            return star;
        }
        if (Topics.DOUBLE_STAR.equals(seg)) {
            return doubleStar;
        }
        return child(seg);
    }

    /** Returns the child for a pattern segment, creating it; caller holds this monitor and this is live. */
    PatternNode nextOrCreate(String seg) {
        PatternNode existing = next(seg);
        if (existing != null) {
            return existing;
        }
        PatternNode c = new PatternNode(this, seg);
        if (Topics.STAR.equals(seg)) {
            star = c;
        } else if (Topics.DOUBLE_STAR.equals(seg)) {
            doubleStar = c;
        } else {
            addLiteral(c);
        }
        return c;
    }

    private void addLiteral(PatternNode c) {
        Object l = literals;
        if (l == null) {
            literals = new PatternNode[] {c};
        } else if (l instanceof PatternNode[]) {
            PatternNode[] a = (PatternNode[]) l;
            if (a.length < SMALL) {
                PatternNode[] b = Arrays.copyOf(a, a.length + 1);
                b[a.length] = c;
                literals = b;
            } else {
                ConcurrentHashMap<String, PatternNode> m = new ConcurrentHashMap<>(4 * SMALL);
                for (PatternNode x : a) {
                    m.put(x.segment, x);
                }
                m.put(c.segment, c);
                literals = m;
            }
        } else {
            literalMap(l).put(c.segment, c);
        }
    }

    /** Detaches an empty child; caller holds this monitor and the child's. */
    void unlink(PatternNode c) {
        if (star == c) {
            star = null;
        } else if (doubleStar == c) {
            doubleStar = null;
        } else {
            Object l = literals;
            if (l instanceof PatternNode[]) {
                PatternNode[] a = (PatternNode[]) l;
                if (a.length == 1) {
                    literals = null;
                } else {
                    PatternNode[] b = new PatternNode[a.length - 1];
                    int k = 0;
                    for (PatternNode x : a) {
                        if (x != c) {
                            b[k++] = x;
                        }
                    }
                    literals = b;
                }
            } else if (l != null) {
                ConcurrentHashMap<String, PatternNode> m = literalMap(l);
                m.remove(c.segment, c);
                if (m.isEmpty()) {
                    literals = null;
                }
            }
        }
    }

    /** Whether the node holds no values and has no children; caller holds this monitor. */
    boolean isEmpty() {
        return values == null && literals == null && star == null && doubleStar == null;
    }

    /** Calls back for each value present when the call starts. Lock-free, allocation-free. */
    @SuppressWarnings("unchecked")
    <T> void forEachValue(PatternIndex.Visitor<? super T> visitor) {
        Values v = values;
        if (v != null) {
            int n = v.size;
            Object[] items = v.items;
            for (int i = 0; i < n; i++) {
                visitor.visit((T) items[i]);
            }
        }
    }

    /** Appends a value unless an equal one is present; caller holds this monitor and this is live. */
    boolean addValue(Object value) {
        Values v = values;
        if (v == null) {
            values = new Values(new Object[] {value}, 1);
            return true;
        }
        int n = v.size;
        Object[] items = v.items;
        for (int i = 0; i < n; i++) {
            if (items[i].equals(value)) {
                return false;
            }
        }
        if (n < items.length) {
            items[n] = value;
            v.size = n + 1;
        } else {
            Object[] grown = Arrays.copyOf(items, n * 2);
            grown[n] = value;
            values = new Values(grown, n + 1);
        }
        return true;
    }

    /** Removes a value, copying on write so concurrent readers keep their snapshot; caller holds this monitor. */
    boolean removeValue(Object value) {
        Values v = values;
        if (v == null) {
            return false;
        }
        int n = v.size;
        Object[] items = v.items;
        for (int i = 0; i < n; i++) {
            if (items[i].equals(value)) {
                if (n == 1) {
                    values = null;
                } else {
                    Object[] rest = new Object[n];
                    System.arraycopy(items, 0, rest, 0, i);
                    System.arraycopy(items, i + 1, rest, i, n - i - 1);
                    values = new Values(rest, n - 1);
                }
                return true;
            }
        }
        return false;
    }

    /** The number of nodes below this one. Not atomic with respect to concurrent changes. */
    int descendants() {
        int count = 0;
        for (PatternNode c : children()) {
            count += 1 + c.descendants();
        }
        return count;
    }

    private PatternNode[] children() {
        Object l = literals;
        PatternNode[] lit = l == null ? new PatternNode[0]
                : l instanceof PatternNode[] ? (PatternNode[]) l
                : literalMap(l).values().toArray(new PatternNode[0]);
        PatternNode[] out = Arrays.copyOf(lit, lit.length + 2);
        int k = lit.length;
        PatternNode s = star;
        PatternNode d = doubleStar;
        if (s != null) {
            out[k++] = s;
        }
        if (d != null) {
            out[k++] = d;
        }
        return Arrays.copyOf(out, k);
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentHashMap<String, PatternNode> literalMap(Object l) {
        return (ConcurrentHashMap<String, PatternNode>) l;
    }

    /**
     * The values at a node. Slots below {@link #size} never change once published; an append fills the
     * next slot and then publishes the larger size, so a reader that read the size sees those slots.
     */
    private static final class Values {
        final Object[] items;
        volatile int size;

        Values(Object[] items, int size) {
            this.items = items;
            this.size = size;
        }
    }
}
