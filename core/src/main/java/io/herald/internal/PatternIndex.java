package io.herald.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Finds the values subscribed under patterns that match a topic, in time proportional to the topic's
 * depth and the patterns that actually match, not to the number of subscriptions.
 *
 * <p>The index is a trie over pattern segments: each node has literal children, a {@code *} child
 * (exactly one segment) and a {@code **} child (zero or more segments, in any position). A value is stored
 * at the node its pattern ends on.
 *
 * <p>Thread-safety: all methods may be called concurrently. {@link #match} takes no lock; it visits every
 * matching (pattern, value) pair that is present for the whole call exactly once, whatever else is added
 * or removed meanwhile; a pair added or removed during the call may or may not be visited. {@link #add}
 * and {@link #remove} lock one trie node at a time (two when pruning: parent, then child) and never block
 * {@code match}.
 *
 * @param <T> the value type; values are compared with {@code equals}
 */
public final class PatternIndex<T> {
    private final PatternNode root = new PatternNode(null, null);
    private final LongAdder pairs = new LongAdder();

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
     * Adds a (pattern, value) pair. Thread-safe; locks only the nodes along the pattern, one at a time.
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
        while (true) {
            PatternNode node = descendCreating(segments);
            if (node == null) {
                continue;
            }
            synchronized (node) {
                if (node.dead) {
                    continue;
                }
                if (!node.addValue(value)) {
                    return false;
                }
            }
            pairs.increment();
            return true;
        }
    }

    /**
     * Removes a (pattern, value) pair and detaches the trie nodes that become empty, so memory follows the
     * number of pairs present, not the number ever added. Thread-safe; locks at most two nodes at a time.
     *
     * @param pattern a pattern already validated by {@link Topics#checkPattern}
     * @param value the value to remove
     * @return whether the pair was present
     */
    public boolean remove(String pattern, T value) {
        String[] segments = Topics.split(pattern);
        while (true) {
            PatternNode node = root;
            for (int i = 0; i < segments.length && node != null; i++) {
                node = node.next(segments[i]);
            }
            if (node == null) {
                return false;
            }
            synchronized (node) {
                if (node.dead) {
                    continue;
                }
                if (!node.removeValue(value)) {
                    return false;
                }
            }
            pairs.decrement();
            prune(node);
            return true;
        }
    }

    /**
     * Calls the visitor for every value whose pattern matches the topic. Each (pattern, value) pair is
     * visited at most once even when {@code **} could match in several ways; the same value under two
     * matching patterns is visited twice. Thread-safe and lock-free; allocates nothing unless the path
     * holds a {@code **} below another {@code **}, and then one small object.
     *
     * @param topicSegments the segments of a valid topic, as {@link Topics#split} returns them; not modified
     * @param visitor called on this thread for each match
     */
    public void match(String[] topicSegments, Visitor<? super T> visitor) {
        visit(root, topicSegments, 0, visitor, false, null);
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
        return pairs.intValue();
    }

    /** The number of trie nodes below the root; walks the whole trie. */
    int nodeCount() {
        return root.descendants();
    }

    /** Returns the live node for the pattern, creating the path, or {@code null} if a node died on the way. */
    private PatternNode descendCreating(String[] segments) {
        PatternNode node = root;
        for (String seg : segments) {
            PatternNode next = node.next(seg);
            if (next == null) {
                synchronized (node) {
                    if (node.dead) {
                        return null;
                    }
                    next = node.nextOrCreate(seg);
                }
            }
            node = next;
        }
        return node;
    }

    private void prune(PatternNode node) {
        PatternNode child = node;
        while (child != root) {
            PatternNode parent = child.parent;
            synchronized (parent) {
                synchronized (child) {
                    if (child.dead || !child.isEmpty()) {
                        return;
                    }
                    child.dead = true;
                    parent.unlink(child);
                }
            }
            child = parent;
        }
    }

    /**
     * Visits the values of patterns matching {@code topic[pos..]} from {@code node}. {@code underDoubleStar}
     * says whether the path to this node crossed a {@code **}: only then can the node be reached at several
     * positions, and only then does a {@code **} below it need the memo to explore each position once.
     *
     * @return the memo, created here if it was {@code null} and became needed
     */
    private Memo visit(PatternNode node, String[] topic, int pos, Visitor<? super T> visitor,
            boolean underDoubleStar, Memo memo) {
        PatternNode d = node.doubleStar;
        if (d != null) {
            int end = topic.length;
            if (underDoubleStar) {
                if (memo == null) {
                    memo = new Memo();
                }
                end = memo.claim(d, pos, topic.length);
            }
            for (int j = pos; j <= end; j++) {
                memo = visit(d, topic, j, visitor, true, memo);
            }
        }
        if (pos == topic.length) {
            node.<T>forEachValue(visitor);
            return memo;
        }
        PatternNode c = node.child(topic[pos]);
        if (c != null) {
            memo = visit(c, topic, pos + 1, visitor, underDoubleStar, memo);
        }
        PatternNode s = node.star;
        if (s != null) {
            memo = visit(s, topic, pos + 1, visitor, underDoubleStar, memo);
        }
        return memo;
    }

    /**
     * For each {@code **} node reached at several positions in one match, the lowest position from which it
     * was explored. Exploring from position {@code p} covers every later start, so a second arrival explores
     * only the positions below the previous lowest; each (node, position) is then explored once and each
     * terminal node visited once. Used by one match call on one thread.
     */
    private static final class Memo {
        private PatternNode[] nodes = new PatternNode[4];
        private int[] lowest = new int[4];
        private int count;

        /**
         * Records an arrival at {@code node} at {@code pos}.
         *
         * @return the last position still to explore from, inclusive; below {@code pos} if none
         */
        int claim(PatternNode node, int pos, int last) {
            for (int i = 0; i < count; i++) {
                if (nodes[i] == node) {
                    int previous = lowest[i];
                    if (pos < previous) {
                        lowest[i] = pos;
                    }
                    return previous - 1;
                }
            }
            if (count == nodes.length) {
                nodes = Arrays.copyOf(nodes, count * 2);
                lowest = Arrays.copyOf(lowest, count * 2);
            }
            nodes[count] = node;
            lowest[count] = pos;
            count++;
            return last;
        }
    }
}
