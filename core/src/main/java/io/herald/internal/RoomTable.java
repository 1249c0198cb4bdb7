package io.herald.internal;

import io.herald.Member;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rooms and their members on this node. Changed only under the hub's publish lock (so membership changes
 * and room events are totally ordered); read by anyone through copy-on-write member arrays. A room exists
 * while it has members.
 */
final class RoomTable {
    private static final Entry[] NONE = new Entry[0];

    /** One member: the connection and what others see of it. */
    record Entry(Connection connection, Member member) {
    }

    private final ConcurrentHashMap<String, Entry[]> rooms = new ConcurrentHashMap<>();

    /**
     * @param room the room
     * @return its members in join order; an empty array when it has none. Never modified.
     */
    Entry[] members(String room) {
        Entry[] m = rooms.get(room);
        return m == null ? NONE : m;
    }

    /**
     * @param room the room
     * @param connection a connection
     * @return the connection's entry, or {@code null} when it is not a member
     */
    Entry find(String room, Connection connection) {
        for (Entry e : members(room)) {
            if (e.connection == connection) {
                return e;
            }
        }
        return null;
    }

    /**
     * Adds a member. Publish lock.
     *
     * @param room the room
     * @param entry the new member, not yet in the room
     */
    void add(String room, Entry entry) {
        Entry[] old = members(room);
        Entry[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = entry;
        rooms.put(room, grown);
    }

    /**
     * Removes a member. Publish lock.
     *
     * @param room the room
     * @param connection the member's connection
     * @return the removed entry, or {@code null} when it was not a member
     */
    Entry remove(String room, Connection connection) {
        Entry[] old = members(room);
        for (int i = 0; i < old.length; i++) {
            if (old[i].connection == connection) {
                Entry removed = old[i];
                if (old.length == 1) {
                    rooms.remove(room);
                } else {
                    Entry[] shrunk = new Entry[old.length - 1];
                    System.arraycopy(old, 0, shrunk, 0, i);
                    System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
                    rooms.put(room, shrunk);
                }
                return removed;
            }
        }
        return null;
    }

    /**
     * @param room the room
     * @return its members as values
     */
    List<Member> memberList(String room) {
        Entry[] m = members(room);
        List<Member> out = new ArrayList<>(m.length);
        for (Entry e : m) {
            out.add(e.member);
        }
        return out;
    }

    /** @return names of rooms with members */
    Set<String> names() {
        return Set.copyOf(rooms.keySet());
    }

    /** @return how many rooms have members */
    int size() {
        return rooms.size();
    }
}
