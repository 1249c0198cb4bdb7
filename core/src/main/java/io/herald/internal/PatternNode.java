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

    /**
     * {@code null}, the only literal child, a copy-on-write {@link Small} of two to {@link #SMALL}, or a
     * concurrent map beyond that.
     */
    private volatile Object literals;
    volatile PatternNode star;
    volatile PatternNode doubleStar;
    /**
     * Two or more values, or {@code null}. Read before {@link #single}; while this is non-null, {@code single}
     * is ignored.
     */
    private volatile Values many;
    /**
     * The only value (or {@code null} for none) while {@link #many} is {@code null}. Going from one value
     * to two keeps it, going from two to one writes it before clearing {@code many}; so a reader that saw
     * {@code many} null and then reads this finds every value present for its whole call. Kept apart from
     * {@code many} so that matching never reads the values themselves.
     */
    private volatile Object single;

    /** Whether this node is detached from the trie; guarded by this node's monitor. */
    boolean dead;

    /**
     * @param segment interned, so the many nodes for a common segment share one string that stays in cache
     *     and memory holds one copy
     */
    PatternNode(PatternNode parent, String segment) {
        this.parent = parent;
        this.segment = segment == null ? null : segment.intern();
        this.hash = segment == null ? 0 : segment.hashCode();
    }

    /** The child reached by the literal segment, or {@code null}. Lock-free, allocation-free. */
    PatternNode child(String seg) {
        Object l = literals;
        if (l == null) {
            return null;
        }
        if (l instanceof PatternNode) {
            PatternNode only = (PatternNode) l;
            return only.hash == seg.hashCode() && only.segment.equals(seg) ? only : null;
        }
        if (l instanceof Small) {
            return ((Small) l).find(seg.hashCode(), seg);
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
            literals = c;
        } else if (l instanceof PatternNode) {
            literals = new Small(new PatternNode[] {(PatternNode) l, c});
        } else if (l instanceof Small) {
            PatternNode[] a = ((Small) l).nodes();
            if (a.length < SMALL) {
                PatternNode[] b = Arrays.copyOf(a, a.length + 1);
                b[a.length] = c;
                literals = new Small(b);
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
            if (l == c) {
                literals = null;
            } else if (l instanceof Small) {
                PatternNode[] a = ((Small) l).nodes();
                if (a.length == 2) {
                    literals = a[0] == c ? a[1] : a[0];
                } else {
                    PatternNode[] b = new PatternNode[a.length - 1];
                    int k = 0;
                    for (PatternNode x : a) {
                        if (x != c) {
                            b[k++] = x;
                        }
                    }
                    literals = new Small(b);
                }
            } else if (l instanceof ConcurrentHashMap) {
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
        return many == null && single == null && literals == null && star == null && doubleStar == null;
    }

    /** Calls back for each value present for the whole call. Lock-free, allocation-free. */
    @SuppressWarnings("unchecked")
    <T> void forEachValue(PatternIndex.Visitor<? super T> visitor) {
        Values m = many;
        if (m != null) {
            int n = m.size;
            Object[] items = m.items;
            for (int i = 0; i < n; i++) {
                visitor.visit((T) items[i]);
            }
            return;
        }
        Object s = single;
        if (s != null) {
            visitor.visit((T) s);
        }
    }

    /** Appends a value unless an equal one is present; caller holds this monitor and this is live. */
    boolean addValue(Object value) {
        Values m = many;
        if (m == null) {
            Object s = single;
            if (s == null) {
                single = value;
                return true;
            }
            if (s.equals(value)) {
                return false;
            }
            many = new Values(new Object[] {s, value, null, null}, 2);
            return true;
        }
        int n = m.size;
        Object[] items = m.items;
        for (int i = 0; i < n; i++) {
            if (items[i].equals(value)) {
                return false;
            }
        }
        if (n < items.length) {
            items[n] = value;
            m.size = n + 1;
        } else {
            Object[] grown = Arrays.copyOf(items, n * 2);
            grown[n] = value;
            many = new Values(grown, n + 1);
        }
        return true;
    }

    /** Removes a value, copying on write so concurrent readers keep their snapshot; caller holds this monitor. */
    boolean removeValue(Object value) {
        Values m = many;
        if (m == null) {
            Object s = single;
            if (s == null || !s.equals(value)) {
                return false;
            }
            single = null;
            return true;
        }
        int n = m.size;
        Object[] items = m.items;
        for (int i = 0; i < n; i++) {
            if (items[i].equals(value)) {
                if (n == 2) {
                    single = items[1 - i];
                    many = null;
                } else {
                    Object[] rest = new Object[n];
                    System.arraycopy(items, 0, rest, 0, i);
                    System.arraycopy(items, i + 1, rest, i, n - i - 1);
                    many = new Values(rest, n - 1);
                    if (single == items[i]) {
                        single = null;
                    }
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
                : l instanceof PatternNode ? new PatternNode[] {(PatternNode) l}
                : l instanceof Small ? ((Small) l).nodes()
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
     * A few literal children with their segments' hashes side by side, so a lookup reads one small array
     * instead of every sibling node. Immutable.
     */
    private static final class Small {
        // Hashes and children as plain fields rather than two arrays: a lookup reads this object's one or
        // two cache lines and then the child, instead of the object, a hash array, a node array and the child.
        private final int size;
        private final int h0;
        private final int h1;
        private final int h2;
        private final int h3;
        private final int h4;
        private final int h5;
        private final int h6;
        private final int h7;
        private final PatternNode n0;
        private final PatternNode n1;
        private final PatternNode n2;
        private final PatternNode n3;
        private final PatternNode n4;
        private final PatternNode n5;
        private final PatternNode n6;
        private final PatternNode n7;

        Small(PatternNode[] nodes) {
            size = nodes.length;
            n0 = at(nodes, 0);
            n1 = at(nodes, 1);
            n2 = at(nodes, 2);
            n3 = at(nodes, 3);
            n4 = at(nodes, 4);
            n5 = at(nodes, 5);
            n6 = at(nodes, 6);
            n7 = at(nodes, 7);
            h0 = hashOf(n0);
            h1 = hashOf(n1);
            h2 = hashOf(n2);
            h3 = hashOf(n3);
            h4 = hashOf(n4);
            h5 = hashOf(n5);
            h6 = hashOf(n6);
            h7 = hashOf(n7);
        }

        private static PatternNode at(PatternNode[] nodes, int i) {
            return i < nodes.length ? nodes[i] : null;
        }

        private static int hashOf(PatternNode n) {
            return n == null ? 0 : n.hash;
        }

        /** The child for a segment with hash {@code h}, or {@code null}. */
        PatternNode find(int h, String seg) {
            PatternNode c = null;
            if (h0 == h) {
                c = n0;
            } else if (h1 == h) {
                c = n1;
            } else if (h2 == h) {
                c = n2;
            } else if (h3 == h) {
                c = n3;
            } else if (h4 == h) {
                c = n4;
            } else if (h5 == h) {
                c = n5;
            } else if (h6 == h) {
                c = n6;
            } else if (h7 == h) {
                c = n7;
            }
            if (c != null && c.segment.equals(seg)) {
                return c;
            }
            return c == null ? null : findSlow(seg);
        }

        /** Hash collisions between children: compare every segment. */
        private PatternNode findSlow(String seg) {
            for (PatternNode c : nodes()) {
                if (c.segment.equals(seg)) {
                    return c;
                }
            }
            return null;
        }

        PatternNode[] nodes() {
            PatternNode[] all = {n0, n1, n2, n3, n4, n5, n6, n7};
            return Arrays.copyOf(all, size);
        }
    }

    /**
     * Two or more values at a node. Slots below {@link #size} never change once published; an append fills the
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
