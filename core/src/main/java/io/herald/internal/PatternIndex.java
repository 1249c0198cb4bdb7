package io.herald.internal;

import java.util.Arrays;

/**
 * Finds the values subscribed under patterns that match a topic, in time proportional to the topic's
 * depth and the patterns that actually match, not to the number of subscriptions.
 *
 * <p>The index is a trie over pattern segments: each node has literal children, a {@code *} child
 * (exactly one segment) and a {@code **} child (zero or more segments, in any position). A value is stored
 * at the node its pattern ends on.
 *
 * <p>Layout: the trie is cut into {@link PatternBlock blocks}, each a subtree of at most a few kilobytes
 * packed into one {@code int[]} of node records and one {@code Object[]} of values and references to
 * child blocks. A match therefore reads a few adjacent arrays per block instead of one object per node,
 * element per child set and string per segment: with a million subscriptions most of the trie is out of
 * cache, and what a match costs is the number of dependent cache misses, not the instructions. A node with
 * many literal children keeps them in an open-addressed table of child blocks, so adding the
 * ten-thousandth tenant or task id touches one slot, not a copy of its siblings.
 *
 * <p>Thread-safety: all methods may be called concurrently. {@link #match} takes no lock; it visits every
 * matching (pattern, value) pair that is present for the whole call exactly once, whatever else is added
 * or removed meanwhile; a pair added or removed during the call may or may not be visited. Blocks never
 * change once published, except for slots that are replaced whole with release stores (a child block, a
 * wide table, a long value list): {@link #add} and {@link #remove} build a new block for the subtree they
 * change and publish it in its parent's slot. They are serialized by one lock, which {@code match} never
 * takes; a change costs a rebuild of one block (a few microseconds), so subscribing stays cheap.
 *
 * @param <T> the value type; values are compared with {@code equals}
 */
public final class PatternIndex<T> {
    private final Object writeLock = new Object();
    private volatile Object[] root = PatternBlock.empty();
    /** The number of pairs; written under {@link #writeLock}. */
    private volatile int pairs;

    /** Creates an empty index. */
    public PatternIndex() {
    }

    /**
     * Receives the values that match a topic.
     *
     * @param <T> the value type
     */
    @FunctionalInterface
    public interface Visitor<T> {
        /**
         * Called once per matching (pattern, value) pair, on the thread that called {@code match}, with
         * no lock held.
         *
         * @param value a value whose pattern matches
         */
        void visit(T value);
    }

    /**
     * Adds a (pattern, value) pair. Thread-safe; serialized with other changes, never blocks {@code match}.
     *
     * @param pattern a pattern already validated by {@link Topics#checkPattern}
     * @param value the value to visit when a topic matches; not {@code null}
     * @return {@code true} if added, {@code false} if an equal value is already present under this exact
     *     pattern
     */
    public boolean add(String pattern, T value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        String[] segments = Topics.split(pattern);
        synchronized (writeLock) {
            boolean added = new PatternBlock.Change(this::publishRoot, root, segments).add(value);
            if (added) {
                pairs++;
            }
            return added;
        }
    }

    /**
     * Removes a (pattern, value) pair and the parts of the trie that become empty, so memory follows the
     * number of pairs present, not the number ever added. Thread-safe; serialized with other changes.
     *
     * @param pattern a pattern already validated by {@link Topics#checkPattern}
     * @param value the value to remove
     * @return whether the pair was present
     */
    public boolean remove(String pattern, T value) {
        String[] segments = Topics.split(pattern);
        synchronized (writeLock) {
            boolean removed = new PatternBlock.Change(this::publishRoot, root, segments).remove(value);
            if (removed) {
                pairs--;
            }
            return removed;
        }
    }

    private void publishRoot(Object[] block) {
        root = block;
    }

    /**
     * Calls the visitor for every value whose pattern matches the topic. Each (pattern, value) pair is
     * visited at most once even when {@code **} could match in several ways; the same value under two
     * matching patterns is visited twice. Thread-safe and lock-free; allocates nothing (a visitor that
     * matches again from inside {@code visit} makes the inner call allocate its scratch).
     *
     * @param topicSegments the segments of a valid topic, as {@link Topics#split} returns them; not modified
     * @param visitor called on this thread for each match
     */
    public void match(String[] topicSegments, Visitor<? super T> visitor) {
        Scan scan = Scan.acquire();
        try {
            scan.prepare(topicSegments, visitor);
            Object[] b = root;
            int[] d = PatternBlock.data(b);
            visit(scan, b, d, PatternBlock.rootOf(d), 0, false);
        } finally {
            scan.release();
        }
    }

    /**
     * Splits a topic and calls the visitor for every value whose pattern matches it; see
     * {@link #match(String[], Visitor)}. Thread-safe and lock-free.
     *
     * @param topic a valid topic
     * @param visitor called on this thread for each match
     */
    public void match(String topic, Visitor<? super T> visitor) {
        match(Topics.split(topic), visitor);
    }

    /**
     * The number of (pattern, value) pairs present. Thread-safe; exact when no change is in progress.
     *
     * @return the number of pairs
     */
    public int size() {
        return pairs;
    }

    /** The number of trie nodes below the root; walks the whole trie. */
    int nodeCount() {
        synchronized (writeLock) {
            return PatternBlock.nodes(root) - 1;
        }
    }

    /** The number of blocks the trie is cut into; walks the whole trie. */
    int blockCount() {
        synchronized (writeLock) {
            return PatternBlock.blocks(root);
        }
    }

    /**
     * Visits the values of patterns matching {@code topic[pos..]} from node {@code n} of block {@code b}.
     * {@code underDoubleStar} says whether the path to this node crossed a {@code **}: only then can the
     * node be reached at several positions, and only then does a {@code **} below it need the memo to
     * explore each position once. Kept small, with its branches in helpers, so that the compiler inlines
     * the helpers and one level of the recursion.
     */
    private static void visit(Scan scan, Object[] b, int[] d, int n, int pos, boolean underDoubleStar) {
        int ds = d[n + PatternBlock.DSTAR];
        if (ds != 0) {
            doubleStar(scan, b, d, ds, pos, underDoubleStar);
        }
        if (pos == scan.length) {
            int at = d[n + PatternBlock.VALUE];
            if (at != 0) {
                values(scan.visitor, b, at);
            }
            return;
        }
        int lit = d[n + PatternBlock.LIT];
        if (lit > 0) {
            int t = PatternBlock.edge(d, n, lit, scan.tags[pos], scan.keys, pos * Scan.KEY);
            if (t != 0) {
                next(scan, b, d, t, pos + 1, underDoubleStar);
            }
        } else if (lit < 0) {
            Object[] table = (Object[]) slot(scan, b, -lit, underDoubleStar);
            int i = PatternBlock.slotOf(table, scan.tags[pos], scan.keys, pos * Scan.KEY);
            Object[] cb = i < 0 ? null : (Object[]) slot(scan, table, i, underDoubleStar);
            if (cb != null) {
                int[] cd = PatternBlock.data(cb);
                visit(scan, cb, cd, PatternBlock.rootOf(cd), pos + 1, underDoubleStar);
            }
        }
        int st = d[n + PatternBlock.STAR];
        if (st != 0) {
            next(scan, b, d, st, pos + 1, underDoubleStar);
        }
    }

    /** Goes on at a {@code **} child: it may absorb any number of the remaining segments. */
    private static void doubleStar(Scan scan, Object[] b, int[] d, int target, int pos, boolean underDoubleStar) {
        Object[] db = b;
        int[] dd = d;
        int dn = target;
        if (target < 0) {
            db = (Object[]) slot(scan, b, -target, underDoubleStar);
            dd = PatternBlock.data(db);
            dn = PatternBlock.rootOf(dd);
        }
        int end = underDoubleStar ? scan.memo().claim(dd, dn, pos, scan.length) : scan.length;
        for (int j = pos; j <= end; j++) {
            visit(scan, db, dd, dn, j, true);
        }
    }

    /** Goes on at a child: a record of this block, or the root of a child block. */
    private static void next(Scan scan, Object[] b, int[] d, int target, int pos, boolean underDoubleStar) {
        if (target > 0) {
            if ((target & PatternBlock.LEAF) == 0) {
                visit(scan, b, d, target, pos, underDoubleStar);
            } else if (pos == scan.length) {
                values(scan.visitor, b, target & ~PatternBlock.LEAF);
            }
        } else {
            Object[] cb = (Object[]) slot(scan, b, -target, underDoubleStar);
            int[] cd = PatternBlock.data(cb);
            visit(scan, cb, cd, PatternBlock.rootOf(cd), pos, underDoubleStar);
        }
    }

    /**
     * Reads a slot that a change may replace: a child block or a wide table. Below a {@code **} a node can be
     * reached several times in one match, so there the first read is kept and repeated: otherwise a change
     * between two arrivals at a {@code **} would show it in two blocks, which the memo could not tell apart,
     * and its pairs would be visited twice.
     */
    private static Object slot(Scan scan, Object[] b, int i, boolean underDoubleStar) {
        return underDoubleStar ? scan.memo().read(b, i) : PatternBlock.acquire(b, i);
    }

    /** Visits a node's values: the list in slot {@code at + 1} if there is one, else the value in {@code at}. */
    private static void values(Visitor<Object> visitor, Object[] b, int at) {
        PatternBlock.ValueList list = (PatternBlock.ValueList) PatternBlock.acquire(b, at + 1);
        if (list == null) {
            visitor.visit(PatternBlock.acquire(b, at));
            return;
        }
        int size = list.size;
        Object[] items = list.items;
        for (int i = 0; i < size; i++) {
            Object value = items[i];
            if (value != null) {
                visitor.visit(value);
            }
        }
    }

    /**
     * One thread's scratch for a match: the topic, its segments' tags and their bytes packed as the
     * blocks pack them (so comparing a segment with an edge compares a few ints), and the memo.
     */
    private static final class Scan {
        /** Ints per segment: its length, then up to 64 bytes four to an int. */
        static final int KEY = 1 + Topics.MAX_SEGMENT_LENGTH / 4;
        private static final ThreadLocal<Scan> CACHED = ThreadLocal.withInitial(Scan::new);

        final int[] tags = new int[Topics.MAX_SEGMENTS];
        final int[] keys = new int[Topics.MAX_SEGMENTS * KEY];
        int length;
        Visitor<Object> visitor;
        private Memo memo;
        private boolean busy;

        static Scan acquire() {
            Scan scan = CACHED.get();
            if (scan.busy) {
                scan = new Scan();
            }
            scan.busy = true;
            return scan;
        }

        @SuppressWarnings("unchecked")
        void prepare(String[] topic, Visitor<?> visitor) {
            if (topic.length > Topics.MAX_SEGMENTS) {
                throw new IllegalArgumentException("topic has more than " + Topics.MAX_SEGMENTS + " segments");
            }
            this.visitor = (Visitor<Object>) visitor;
            length = topic.length;
            for (int i = 0; i < topic.length; i++) {
                if (topic[i].length() > Topics.MAX_SEGMENT_LENGTH) {
                    throw new IllegalArgumentException("topic segment longer than " + Topics.MAX_SEGMENT_LENGTH);
                }
                int tag = PatternBlock.tag(topic[i]);
                tags[i] = tag;
                if (tag < 0) {
                    // short segments are compared by their tag alone
                    PatternBlock.key(topic[i], keys, i * KEY);
                }
            }
        }

        Memo memo() {
            if (memo == null) {
                memo = new Memo();
            }
            return memo;
        }

        void release() {
            visitor = null;
            if (memo != null) {
                memo.clear();
            }
            busy = false;
        }
    }

    /**
     * For each {@code **} node reached at several positions in one match, the lowest position from which it
     * was explored. Exploring from position {@code p} covers every later start, so a second arrival explores
     * only the positions below the previous lowest; each (node, position) is then explored once and each
     * terminal node visited once. Nodes are told apart by block, so below a {@code **} every replaceable slot
     * is read once per match ({@link #read}) and a node reached again is found in the same block. Used by
     * one match call on one thread.
     */
    private static final class Memo {
        private int[][] blocks = new int[4][];
        private int[] nodes = new int[4];
        private int[] lowest = new int[4];
        private int count;
        private Object[][] holders = new Object[4][];
        private int[] slots = new int[4];
        private Object[] seen = new Object[4];
        private int reads;

        /** Forgets the blocks, so a thread's scratch does not keep removed blocks alive. */
        void clear() {
            Arrays.fill(blocks, 0, count, null);
            count = 0;
            Arrays.fill(holders, 0, reads, null);
            Arrays.fill(seen, 0, reads, null);
            reads = 0;
        }

        /** @return what slot {@code i} of {@code b} held when this match first read it */
        Object read(Object[] b, int i) {
            for (int k = 0; k < reads; k++) {
                if (holders[k] == b && slots[k] == i) {
                    return seen[k];
                }
            }
            Object o = PatternBlock.acquire(b, i);
            if (reads == slots.length) {
                holders = Arrays.copyOf(holders, reads * 2);
                slots = Arrays.copyOf(slots, reads * 2);
                seen = Arrays.copyOf(seen, reads * 2);
            }
            holders[reads] = b;
            slots[reads] = i;
            seen[reads] = o;
            reads++;
            return o;
        }

        /**
         * Records an arrival at node {@code n} of the block whose records are {@code d}, at {@code pos}.
         *
         * @return the last position still to explore from, inclusive; below {@code pos} if none
         */
        int claim(int[] d, int n, int pos, int last) {
            for (int i = 0; i < count; i++) {
                if (blocks[i] == d && nodes[i] == n) {
                    int previous = lowest[i];
                    if (pos < previous) {
                        lowest[i] = pos;
                    }
                    return previous - 1;
                }
            }
            if (count == nodes.length) {
                blocks = Arrays.copyOf(blocks, count * 2);
                nodes = Arrays.copyOf(nodes, count * 2);
                lowest = Arrays.copyOf(lowest, count * 2);
            }
            blocks[count] = d;
            nodes[count] = n;
            lowest[count] = pos;
            count++;
            return last;
        }
    }
}
