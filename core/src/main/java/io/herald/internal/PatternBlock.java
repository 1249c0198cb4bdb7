package io.herald.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The packed layout of the {@link PatternIndex} trie, and the changes made to it.
 *
 * <p>A block is an {@code Object[]}: slot 0 holds the {@code int[]} of its node records, the other slots
 * hold values and references to what lies outside the block (child blocks, wide tables, long value lists).
 * The records start with the segment that leads to the block's root node ({@code [tag, length, packed
 * bytes…]}), then one record per node in depth-first order:
 *
 * <pre>
 * [LIT]    number of literal edges that follow; negative: the node's literal children are in the wide
 *          table at slot -LIT
 * [STAR]   target of the * child:  0 none, positive: a record in this block, negative: the child block at
 *          slot -STAR; with the {@link #LEAF} bit set: a leaf, a child with values and no children, which
 *          has no record: the rest of the target is its first value slot
 * [DSTAR]  target of the ** child, the same way
 * [VALUE]  0 for none, else the first of the node's two value slots: slot VALUE holds its only value,
 *          slot VALUE + 1 a {@link ValueList} when it has two or more (and then slot VALUE is ignored)
 * then per literal edge: [tag, target, text], where text is the offset of the edge's segment
 * then the edges' segments: [length, packed bytes…] each
 * </pre>
 *
 * <p>Segments are ASCII ({@link Topics}), four bytes to an int. Each also has a {@link #tag}: a segment of up
 * to four characters is its own tag, so an equal tag is an equal segment; a longer one is tagged by its hash
 * and then compared. A match tags and packs each topic segment once ({@link #key}), so comparing it with an
 * edge compares a few ints of the record it is reading. A wide table is an {@code Object[]} whose slot 0 holds the writer's
 * counts and whose other slots are an open-addressed table of child blocks, probed by the segment's tag and
 * checked against each child block's own leading segment.
 *
 * <p>Published blocks never change, except for slots replaced whole with a release store: a child block, a
 * wide table, or a node's values. Readers read those slots with acquire loads. A {@link ValueList} grows in
 * place, publishing its size after the new element. So only a change of shape (a node gained or lost, or
 * a node's first value or last) rebuilds a block; another subscriber of an existing pattern costs a slot.
 */
final class PatternBlock {
    static final int LIT = 0;
    static final int STAR = 1;
    static final int DSTAR = 2;
    static final int VALUE = 3;
    /** The length of a node record before its edges. */
    static final int NODE = 4;
    /**
     * Marks a literal or {@code *} target that is a leaf. Most patterns end in a leaf, and reading its values
     * straight from the parent's edge saves a read of a record that would hold nothing else.
     */
    static final int LEAF = 1 << 30;

    /**
     * A subtree larger than this many ints is cut: its largest in-block children move to blocks of their
     * own. About 8 KiB: large enough that a tenant-sized subtree is one block, small enough that
     * rebuilding one on every change costs microseconds.
     */
    static final int MAX_INTS = 2048;
    /** A node with more literal children than this keeps them in a wide table of child blocks. */
    static final int WIDE = 16;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    /** A wide-table slot whose child was removed; probing goes on past it. */
    private static final Object TOMBSTONE = new Object();

    private PatternBlock() {
    }

    /** @return a block holding one empty root node */
    static Object[] empty() {
        return encode(new MNode("", 0));
    }

    static int[] data(Object[] block) {
        return (int[]) block[0];
    }

    /** @return the offset of the block's root record */
    static int rootOf(int[] d) {
        return 2 + words(d[1]);
    }

    /** @return the number of ints that hold {@code length} packed bytes */
    static int words(int length) {
        return (length + 3) >>> 2;
    }

    /**
     * The tag of a segment: up to four characters, the characters themselves (seven bits each) and the
     * length, which is non-negative and equal only for equal segments; longer, the hash with the sign bit
     * set, which must be confirmed by comparing the text.
     *
     * @param s an ASCII segment
     */
    static int tag(String s) {
        int length = s.length();
        if (length > 4) {
            return s.hashCode() | 0x8000_0000;
        }
        int tag = length;
        for (int i = 0; i < length; i++) {
            tag |= ascii(s.charAt(i)) << (3 + 7 * i);
        }
        return tag;
    }

    private static int ascii(char c) {
        if (c > 0x7F) {
            throw new IllegalArgumentException("segment is not ASCII");
        }
        return c;
    }

    /**
     * Packs a segment as blocks hold it: its length, then its bytes four to an int.
     *
     * @param s an ASCII segment of at most {@link Topics#MAX_SEGMENT_LENGTH} characters
     * @param key where to write, {@code 1 + words(length)} ints from {@code off}
     */
    static void key(String s, int[] key, int off) {
        int length = s.length();
        key[off] = length;
        int i = 0;
        for (int w = off + 1; i < length; w++) {
            int word = 0;
            for (int shift = 0; shift < 32 && i < length; shift += 8) {
                word |= ascii(s.charAt(i++)) << shift;
            }
            key[w] = word;
        }
    }

    private static int[] key(String s) {
        int[] key = new int[1 + words(s.length())];
        key(s, key, 0);
        return key;
    }

    /** Whether the segment packed at {@code d[t..]} is the one packed at {@code key[off..]}. */
    static boolean same(int[] d, int t, int[] key, int off) {
        int length = key[off];
        if (d[t] != length) {
            return false;
        }
        for (int w = words(length); w > 0; w--) {
            if (d[t + w] != key[off + w]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The target of the literal edge among the {@code lit} edges of record {@code n} whose segment has tag
     * {@code tag} and is packed at {@code key[off..]}.
     *
     * @return the target, 0 if there is no such edge
     */
    static int edge(int[] d, int n, int lit, int tag, int[] key, int off) {
        int end = n + NODE + 3 * lit;
        for (int e = n + NODE; e < end; e += 3) {
            if (d[e] == tag && (tag >= 0 || same(d, d[e + 2], key, off))) {
                return d[e + 1];
            }
        }
        return 0;
    }

    /** Reads a slot that may be replaced while blocks are read: a child block, wide table or value list. */
    static Object acquire(Object[] b, int i) {
        Object o = b[i];
        VarHandle.acquireFence();
        return o;
    }

    /** @return the slot of the child block for a literal segment in a wide table, or -1 */
    static int slotOf(Object[] table, int tag, int[] key, int off) {
        int mask = table.length - 2;
        for (int i = spread(tag) & mask;; i = (i + 1) & mask) {
            Object o = acquire(table, 1 + i);
            if (o == null) {
                return -1;
            }
            if (o != TOMBSTONE) {
                int[] cd = data((Object[]) o);
                if (cd[0] == tag && (tag >= 0 || same(cd, 1, key, off))) {
                    return 1 + i;
                }
            }
        }
    }

    private static int spread(int tag) {
        int x = tag * 0x9E3779B9;
        return x ^ (x >>> 16);
    }

    /** The number of trie nodes in a block and below it. */
    static int nodes(Object[] block) {
        return count(block, false);
    }

    /** The number of blocks: this one and every block below it. */
    static int blocks(Object[] block) {
        return count(block, true);
    }

    private static int count(Object[] block, boolean blocks) {
        int[] d = data(block);
        return (blocks ? 1 : 0) + count(block, d, rootOf(d), blocks);
    }

    /** Counts the nodes (or the child blocks) at and below record {@code n}. */
    private static int count(Object[] b, int[] d, int n, boolean blocks) {
        int count = blocks ? 0 : 1;
        int lit = d[n + LIT];
        for (int k = 0, e = n + NODE; k < lit; k++, e += 3) {
            count += countTarget(b, d, d[e + 1], blocks);
        }
        if (lit < 0) {
            Object[] table = (Object[]) b[-lit];
            for (int i = 1; i < table.length; i++) {
                if (table[i] != null && table[i] != TOMBSTONE) {
                    count += count((Object[]) table[i], blocks);
                }
            }
        }
        return count + countTarget(b, d, d[n + STAR], blocks) + countTarget(b, d, d[n + DSTAR], blocks);
    }

    private static int countTarget(Object[] b, int[] d, int target, boolean blocks) {
        if (target == 0) {
            return 0;
        }
        if (target > 0 && (target & LEAF) != 0) {
            return blocks ? 0 : 1;
        }
        return target > 0 ? count(b, d, target, blocks) : count((Object[]) b[-target], blocks);
    }

    /**
     * Two or more values at a node. Readers see {@link #items} up to {@link #size}, skipping holes ({@code
     * null}). Elements never move while a list is published: an add fills the next slot and then publishes
     * the larger size; a remove leaves a hole. So a reader visits every value present for its whole call
     * exactly once. When the array is full, or more than half of it is holes, the writer makes a compact
     * new list and publishes that instead. Past {@link #INDEXED} values the writer finds values through a
     * hash map, so adding or removing one of a hundred thousand subscribers of a topic costs O(1), not a
     * scan.
     */
    static final class ValueList {
        /** From this many slots on, the writer keeps a map from value to slot. */
        static final int INDEXED = 16;

        final Object[] items;
        volatile int size;
        /** Writer only: values present (size minus holes). */
        private int live;
        /** Writer only: no value lives below this slot. */
        private int firstLive;
        /** Writer only: each value's slot, once the list is large; {@code null} before. */
        private HashMap<Object, Integer> slots;

        private ValueList(Object[] items, int count) {
            this.items = items;
            this.live = count;
            if (count >= INDEXED) {
                slots = new HashMap<>(count * 2);
                for (int i = 0; i < count; i++) {
                    slots.put(items[i], i);
                }
            }
            this.size = count;
        }

        /** @return a list of two values */
        static ValueList of(Object first, Object second) {
            return new ValueList(new Object[] {first, second, null, null}, 2);
        }

        boolean contains(Object value) {
            return indexOf(value) >= 0;
        }

        private int indexOf(Object value) {
            if (slots != null) {
                Integer i = slots.get(value);
                return i == null ? -1 : i;
            }
            int n = size;
            for (int i = 0; i < n; i++) {
                Object v = items[i];
                if (v != null && v.equals(value)) {
                    return i;
                }
            }
            return -1;
        }

        /**
         * @return a value present, for the value slot beside the list (see {@link #VALUE}): the first one;
         *     holes never fill, so the scan resumes where the last one stopped
         */
        Object anyValue() {
            for (int i = firstLive, n = size; i < n; i++) {
                if (items[i] != null) {
                    firstLive = i;
                    return items[i];
                }
            }
            throw new IllegalStateException("empty value list");
        }

        /**
         * Adds a value known to be absent.
         *
         * @return this list with the value appended in place, or a compact larger copy holding it
         */
        ValueList append(Object value) {
            int n = size;
            if (n < items.length) {
                items[n] = value;
                live++;
                if (slots != null) {
                    slots.put(value, n);
                } else if (n + 1 >= INDEXED) {
                    slots = new HashMap<>(INDEXED * 4);
                    for (int i = 0; i <= n; i++) {
                        if (items[i] != null) {
                            slots.put(items[i], i);
                        }
                    }
                }
                size = n + 1;
                return this;
            }
            return compact(value);
        }

        /**
         * Removes a value.
         *
         * @return {@code null} if it was absent; else this list (a hole left in place), a compact copy, or,
         *     when one value is left, that value
         */
        Object remove(Object value) {
            int i = indexOf(value);
            if (i < 0) {
                return null;
            }
            items[i] = null;
            live--;
            if (slots != null) {
                slots.remove(value);
            }
            if (live == 1) {
                return anyValue();
            }
            if (live * 2 < size) {
                return compact(null);
            }
            return this;
        }

        /** A new list with the values present (and {@code extra} if not {@code null}), room to grow. */
        private ValueList compact(Object extra) {
            Object[] packed = new Object[Math.max(4, (live + 1) * 2)];
            int k = 0;
            for (int i = 0, n = size; i < n; i++) {
                if (items[i] != null) {
                    packed[k++] = items[i];
                }
            }
            if (extra != null) {
                packed[k++] = extra;
            }
            return new ValueList(packed, k);
        }
    }

    /**
     * One change to the index: walks the blocks along a pattern, then adds or removes a value by rebuilding
     * the one block that changes (and, when removing empties it, its parents). Callers serialize changes.
     */
    static final class Change {
        /** A block on the pattern's path, where it is referenced from, and the depth of its root node. */
        private record Level(Object[] block, Object[] holder, int slot, boolean inWide, int depth) {
        }

        private final Consumer<Object[]> publishRoot;
        private final String[] segs;
        private final List<Level> levels = new ArrayList<>();
        /**
         * Where the walk stopped: the block, the record (-1 at a leaf), how many segments were consumed, and
         * the first value slot of the node there (0 for none).
         */
        private Object[] block;
        private int node;
        private int consumed;
        private int valuesAt;
        /** Whether the walk stopped at a wide node that lacks the next literal segment. */
        private boolean wideMissing;

        Change(Consumer<Object[]> publishRoot, Object[] root, String[] segs) {
            this.publishRoot = publishRoot;
            this.segs = segs;
            levels.add(new Level(root, null, 0, false, 0));
            walk(root);
        }

        private void walk(Object[] root) {
            Object[] b = root;
            int[] d = data(b);
            int n = rootOf(d);
            int i = 0;
            while (i < segs.length) {
                String s = segs[i];
                int t;
                if (Topics.STAR.equals(s)) {
                    t = d[n + STAR];
                } else if (Topics.DOUBLE_STAR.equals(s)) {
                    t = d[n + DSTAR];
                } else if (d[n + LIT] < 0) {
                    Object[] table = (Object[]) b[-d[n + LIT]];
                    int slot = slotOf(table, tag(s), key(s), 0);
                    if (slot < 0) {
                        wideMissing = true;
                        break;
                    }
                    Object[] child = (Object[]) table[slot];
                    i++;
                    levels.add(new Level(child, table, slot, true, i));
                    b = child;
                    d = data(b);
                    n = rootOf(d);
                    continue;
                } else {
                    t = edge(d, n, d[n + LIT], tag(s), key(s), 0);
                }
                if (t == 0) {
                    break;
                }
                i++;
                if (t > 0 && (t & LEAF) != 0) {
                    block = b;
                    node = -1;
                    consumed = i;
                    valuesAt = t & ~LEAF;
                    return;
                }
                if (t > 0) {
                    n = t;
                } else {
                    Object[] child = (Object[]) b[-t];
                    levels.add(new Level(child, b, -t, false, i));
                    b = child;
                    d = data(b);
                    n = rootOf(d);
                }
            }
            block = b;
            node = n;
            consumed = i;
            valuesAt = d[n + VALUE];
        }

        boolean add(Object value) {
            int[] d = data(block);
            int at = consumed == segs.length ? valuesAt : 0;
            if (at != 0) {
                // a value slot and a list slot: matching reads the list first, then the value, and never
                // has to look at a value to tell which it holds; the value slot keeps its old value when
                // a list replaces it, and is written before a list is cleared
                if (block[at + 1] instanceof ValueList list) {
                    if (list.contains(value)) {
                        return false;
                    }
                    ValueList next = list.append(value);
                    if (next != list) {
                        SLOT.setRelease(block, at + 1, next);
                    }
                } else {
                    Object only = block[at];
                    if (only.equals(value)) {
                        return false;
                    }
                    SLOT.setRelease(block, at + 1, ValueList.of(only, value));
                }
                return true;
            }
            if (wideMissing) {
                MNode chain = new MNode(segs[consumed], tag(segs[consumed]));
                chain.descend(segs, consumed + 1, segs.length).value = value;
                insertWide(block, -d[node + LIT], encode(chain));
                return true;
            }
            Level level = levels.get(levels.size() - 1);
            MNode root = decode(block);
            root.descend(segs, level.depth, segs.length).value = value;
            publish(level, encode(root));
            return true;
        }

        boolean remove(Object value) {
            if (consumed < segs.length) {
                return false;
            }
            int at = valuesAt;
            if (at == 0) {
                return false;
            }
            if (block[at + 1] instanceof ValueList list) {
                Object rest = list.remove(value);
                if (rest == null) {
                    return false;
                }
                if (rest instanceof ValueList shorter) {
                    if (shorter != list) {
                        SLOT.setRelease(block, at + 1, shorter);
                    }
                    if (value.equals(block[at])) {
                        // ignored while the list is there, but must not keep the removed value alive
                        SLOT.setRelease(block, at, shorter.anyValue());
                    }
                } else {
                    SLOT.setRelease(block, at, rest);
                    SLOT.setRelease(block, at + 1, null);
                }
                return true;
            }
            if (!block[at].equals(value)) {
                return false;
            }
            int index = levels.size() - 1;
            MNode root = decode(block);
            List<MNode> path = root.path(segs, levels.get(index).depth, segs.length);
            path.get(path.size() - 1).value = null;
            prune(path);
            while (true) {
                Level level = levels.get(index);
                if (level.holder == null || !root.isEmpty()) {
                    publish(level, encode(root));
                    return true;
                }
                // the block's root node is empty: detach the whole block from the node above it
                Level parent = levels.get(index - 1);
                if (level.inWide && removeWide(parent.block, level.holder, level.slot) > 0) {
                    return true;
                }
                root = decode(parent.block);
                path = root.path(segs, parent.depth, level.depth - 1);
                MNode owner = path.get(path.size() - 1);
                if (level.inWide) {
                    owner.wide = null;
                } else {
                    owner.unlink(segs[level.depth - 1]);
                }
                prune(path);
                index--;
            }
        }

        /** Detaches the empty nodes at the end of a path, below its first node. */
        private static void prune(List<MNode> path) {
            for (int k = path.size() - 1; k > 0 && path.get(k).isEmpty(); k--) {
                path.get(k - 1).unlink(path.get(k).seg);
            }
        }

        private void publish(Level level, Object[] built) {
            if (level.holder == null) {
                publishRoot.accept(built);
            } else {
                SLOT.setRelease(level.holder, level.slot, built);
            }
        }
    }

    // ---- wide tables: slot 0 holds {live, used}; the rest is open-addressed, one free slot at least half the time

    private static Object[] newWide(List<Object[]> children) {
        int capacity = Integer.highestOneBit(Math.max(8, children.size() * 4) - 1) << 1;
        Object[] table = new Object[capacity + 1];
        table[0] = new int[2];
        for (Object[] child : children) {
            put(table, child);
        }
        return table;
    }

    /** Puts a child block into a table known not to hold its segment and to have room; not yet published. */
    private static void put(Object[] table, Object[] child) {
        int[] meta = (int[]) table[0];
        int mask = table.length - 2;
        for (int i = spread(data(child)[0]) & mask;; i = (i + 1) & mask) {
            Object o = table[1 + i];
            if (o == null || o == TOMBSTONE) {
                if (o == null) {
                    meta[1]++;
                }
                meta[0]++;
                SLOT.setRelease(table, 1 + i, child);
                return;
            }
        }
    }

    /** Adds a child block to the wide table at slot {@code ref} of a block, growing the table when half full. */
    private static void insertWide(Object[] block, int ref, Object[] child) {
        Object[] table = (Object[]) block[ref];
        int[] meta = (int[]) table[0];
        if ((meta[1] + 1) * 2 > table.length - 1) {
            List<Object[]> live = new ArrayList<>(meta[0] + 1);
            for (int i = 1; i < table.length; i++) {
                if (table[i] != null && table[i] != TOMBSTONE) {
                    live.add((Object[]) table[i]);
                }
            }
            live.add(child);
            SLOT.setRelease(block, ref, newWide(live));
        } else {
            put(table, child);
        }
    }

    /**
     * Removes a child block from a wide table referenced by {@code block}; a table that became mostly empty
     * is replaced by a smaller one, so a table's size follows the children it holds.
     *
     * @return how many children the table still holds
     */
    private static int removeWide(Object[] block, Object[] table, int slot) {
        SLOT.setRelease(table, slot, TOMBSTONE);
        int live = --((int[]) table[0])[0];
        if (live > 0 && live * 16 < table.length - 1 && table.length - 1 > 8) {
            List<Object[]> children = new ArrayList<>(live);
            for (int i = 1; i < table.length; i++) {
                if (table[i] != null && table[i] != TOMBSTONE) {
                    children.add((Object[]) table[i]);
                }
            }
            for (int i = 1; i < block.length; i++) {
                if (block[i] == table) {
                    SLOT.setRelease(block, i, newWide(children));
                    break;
                }
            }
        }
        return live;
    }

    // ---- the writer's view of a block: a tree of nodes, decoded, changed and encoded again

    /** Decodes a block into nodes; what lies outside it becomes stubs. */
    static MNode decode(Object[] b) {
        int[] d = data(b);
        return decode(b, d, rootOf(d), text(d, 1), d[0]);
    }

    private static MNode decode(Object[] b, int[] d, int n, String seg, int tag) {
        MNode m = new MNode(seg, tag);
        int lit = d[n + LIT];
        if (lit > 0) {
            m.lits = new ArrayList<>(lit);
            for (int k = 0, e = n + NODE; k < lit; k++, e += 3) {
                m.lits.add(decodeChild(b, d, d[e + 1], text(d, d[e + 2]), d[e]));
            }
        } else if (lit < 0) {
            m.wide = (Object[]) b[-lit];
        }
        if (d[n + STAR] != 0) {
            m.star = decodeChild(b, d, d[n + STAR], Topics.STAR, tag(Topics.STAR));
        }
        if (d[n + DSTAR] != 0) {
            m.dstar = decodeChild(b, d, d[n + DSTAR], Topics.DOUBLE_STAR, tag(Topics.DOUBLE_STAR));
        }
        if (d[n + VALUE] != 0) {
            m.value = values(b, d[n + VALUE]);
        }
        return m;
    }

    /** @return what the value slots at {@code at} hold: the list if there is one, else the one value */
    private static Object values(Object[] b, int at) {
        return b[at + 1] != null ? b[at + 1] : b[at];
    }

    private static MNode decodeChild(Object[] b, int[] d, int target, String seg, int tag) {
        if (target > 0 && (target & LEAF) != 0) {
            MNode leaf = new MNode(seg, tag);
            leaf.value = values(b, target & ~LEAF);
            return leaf;
        }
        if (target > 0) {
            return decode(b, d, target, seg, tag);
        }
        MNode stub = new MNode(seg, tag);
        stub.ext = (Object[]) b[-target];
        return stub;
    }

    /** @return the segment packed at {@code d[t..]} */
    private static String text(int[] d, int t) {
        char[] chars = new char[d[t]];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((d[t + 1 + (i >>> 2)] >>> ((i & 3) << 3)) & 0xFF);
        }
        return new String(chars);
    }

    /** Encodes a node and what it holds into a new block, cutting off parts that do not fit. */
    static Object[] encode(MNode m) {
        fit(m);
        Ints d = new Ints();
        List<Object> refs = new ArrayList<>();
        refs.add(null);
        d.add(m.tag);
        d.pack(m.seg);
        write(m, d, refs);
        Object[] block = refs.toArray();
        block[0] = d.toArray();
        return block;
    }

    private static void fit(MNode m) {
        widen(m);
        for (int size = m.size(); size > MAX_INTS; size = m.size()) {
            MNode largest = null;
            int largestSize = 0;
            for (MNode c : m.inBlockChildren()) {
                int s = c.size();
                if (s > largestSize) {
                    largest = c;
                    largestSize = s;
                }
            }
            if (largest == null) {
                return;
            }
            largest.becomeStub(encode(largest));
        }
    }

    /** Moves the literal children of nodes that have too many into wide tables. */
    private static void widen(MNode m) {
        if (m.lits != null && m.lits.size() > WIDE) {
            List<Object[]> children = new ArrayList<>(m.lits.size());
            for (MNode c : m.lits) {
                children.add(c.ext != null ? c.ext : encode(c));
            }
            m.wide = newWide(children);
            m.lits = null;
        }
        for (MNode c : m.inBlockChildren()) {
            widen(c);
        }
    }

    private static int write(MNode m, Ints d, List<Object> refs) {
        int n = d.size();
        d.skip(NODE);
        if (m.wide != null) {
            refs.add(m.wide);
            d.set(n + LIT, -(refs.size() - 1));
        } else if (m.lits != null) {
            d.set(n + LIT, m.lits.size());
            d.skip(3 * m.lits.size());
            int e = n + NODE;
            for (MNode c : m.lits) {
                d.set(e, c.tag);
                d.set(e + 2, d.size());
                d.pack(c.seg);
                e += 3;
            }
        }
        if (m.value != null) {
            d.set(n + VALUE, addValues(m.value, refs));
        }
        // children in the order a match visits them (**, literals, *), so its reads move forward through
        // the block and the hardware's prefetcher runs ahead of them
        if (m.dstar != null) {
            d.set(n + DSTAR, target(m.dstar, false, d, refs));
        }
        if (m.lits != null) {
            int e = n + NODE;
            for (MNode c : m.lits) {
                d.set(e + 1, target(c, true, d, refs));
                e += 3;
            }
        }
        if (m.star != null) {
            d.set(n + STAR, target(m.star, true, d, refs));
        }
        return n;
    }

    /** @param leafAllowed whether the target may be a {@link #LEAF} (not for {@code **}, which always has a record) */
    private static int target(MNode c, boolean leafAllowed, Ints d, List<Object> refs) {
        if (c.ext != null) {
            refs.add(c.ext);
            return -(refs.size() - 1);
        }
        if (leafAllowed && c.isLeaf()) {
            return LEAF | addValues(c.value, refs);
        }
        return write(c, d, refs);
    }

    /** Adds a node's two value slots; see {@link #VALUE}. @return the first slot */
    private static int addValues(Object value, List<Object> refs) {
        int at = refs.size();
        if (value instanceof ValueList list) {
            refs.add(list.anyValue());
            refs.add(list);
        } else {
            refs.add(value);
            refs.add(null);
        }
        return at;
    }

    /** A node of a block being changed. A stub ({@link #ext} set) stands for a child block kept as it is. */
    static final class MNode {
        final String seg;
        /** See {@link PatternBlock#tag}. */
        final int tag;
        Object[] ext;
        List<MNode> lits;
        Object[] wide;
        MNode star;
        MNode dstar;
        /** {@code null}, the node's one value, or a {@link ValueList}. */
        Object value;

        MNode(String seg, int tag) {
            this.seg = seg;
            this.tag = tag;
        }

        /** @return the node at the end of {@code segs[from..to)} below this one, creating what is missing */
        MNode descend(String[] segs, int from, int to) {
            MNode m = this;
            for (int i = from; i < to; i++) {
                MNode next = m.child(segs[i]);
                if (next == null) {
                    next = new MNode(segs[i], tag(segs[i]));
                    m.link(next);
                }
                m = next;
            }
            return m;
        }

        /** @return this node and the existing nodes along {@code segs[from..to)} below it */
        List<MNode> path(String[] segs, int from, int to) {
            List<MNode> path = new ArrayList<>(to - from + 1);
            MNode m = this;
            path.add(m);
            for (int i = from; i < to; i++) {
                m = m.child(segs[i]);
                path.add(m);
            }
            return path;
        }

        private MNode child(String seg) {
            if (Topics.STAR.equals(seg)) {
                return star;
            }
            if (Topics.DOUBLE_STAR.equals(seg)) {
                return dstar;
            }
            if (lits != null) {
                for (MNode c : lits) {
                    if (c.seg.equals(seg)) {
                        return c;
                    }
                }
            }
            return null;
        }

        private void link(MNode c) {
            if (Topics.STAR.equals(c.seg)) {
                star = c;
            } else if (Topics.DOUBLE_STAR.equals(c.seg)) {
                dstar = c;
            } else {
                if (lits == null) {
                    lits = new ArrayList<>(2);
                }
                lits.add(c);
            }
        }

        void unlink(String seg) {
            if (Topics.STAR.equals(seg)) {
                star = null;
            } else if (Topics.DOUBLE_STAR.equals(seg)) {
                dstar = null;
            } else if (lits != null) {
                lits.removeIf(c -> c.seg.equals(seg));
                if (lits.isEmpty()) {
                    lits = null;
                }
            }
        }

        /** Whether this node has values and nothing else, so it is written as a {@link #LEAF} target. */
        boolean isLeaf() {
            return value != null && ext == null && lits == null && wide == null && star == null && dstar == null;
        }

        boolean isEmpty() {
            return ext == null && lits == null && wide == null && star == null && dstar == null && value == null;
        }

        void becomeStub(Object[] block) {
            ext = block;
            lits = null;
            wide = null;
            star = null;
            dstar = null;
            value = null;
        }

        List<MNode> inBlockChildren() {
            List<MNode> out = new ArrayList<>();
            if (ext != null) {
                return out;
            }
            if (lits != null) {
                for (MNode c : lits) {
                    if (c.ext == null) {
                        out.add(c);
                    }
                }
            }
            if (star != null && star.ext == null) {
                out.add(star);
            }
            if (dstar != null && dstar.ext == null) {
                out.add(dstar);
            }
            return out;
        }

        /** The ints this node's record and its in-block descendants take. */
        int size() {
            if (isLeaf()) {
                return 0;
            }
            int size = NODE;
            if (lits != null) {
                for (MNode c : lits) {
                    size += 4 + words(c.seg.length());
                }
            }
            for (MNode c : inBlockChildren()) {
                size += c.size();
            }
            return size;
        }
    }

    /** A growable int array. */
    private static final class Ints {
        private int[] a = new int[64];
        private int size;

        int size() {
            return size;
        }

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        void skip(int n) {
            for (int i = 0; i < n; i++) {
                add(0);
            }
        }

        void set(int i, int v) {
            a[i] = v;
        }

        /** Appends an ASCII segment as {@link PatternBlock#key} packs it: its length, then its bytes. */
        void pack(String s) {
            add(s.length());
            int start = size;
            skip(words(s.length()));
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c > 0x7F) {
                    throw new IllegalArgumentException("segment is not ASCII: " + s);
                }
                a[start + (i >>> 2)] |= c << ((i & 3) << 3);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
