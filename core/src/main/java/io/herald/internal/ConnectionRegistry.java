package io.herald.internal;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections by id, by user and by client address, with the connection limits. Thread-safe:
 * limits are checked and counted atomically per key.
 */
final class ConnectionRegistry {
    private final ConcurrentHashMap<String, Connection> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perIp = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final int maxTotal;
    private final int maxPerUser;
    private final int maxPerIp;

    ConnectionRegistry(int maxTotal, int maxPerUser, int maxPerIp) {
        this.maxTotal = maxTotal;
        this.maxPerUser = maxPerUser;
        this.maxPerIp = maxPerIp;
    }

    /**
     * Registers a connection if every limit allows it.
     *
     * @param c the connection
     * @return {@code null} when registered, else the limit that refused it
     */
    String tryAdd(Connection c) {
        if (total.incrementAndGet() > maxTotal && maxTotal > 0) {
            total.decrementAndGet();
            return "the server is at capacity";
        }
        String ip = c.remoteAddress();
        boolean[] ipOk = {true};
        perIp.compute(ip, (k, n) -> {
            int next = n == null ? 1 : n + 1;
            if (maxPerIp > 0 && next > maxPerIp) {
                ipOk[0] = false;
                return n;
            }
            return next;
        });
        if (!ipOk[0]) {
            total.decrementAndGet();
            return "too many connections from " + ip;
        }
        String user = c.user();
        if (user != null && !addUser(c, user)) {
            decrementIp(ip);
            total.decrementAndGet();
            return "too many connections for user " + user;
        }
        byId.put(c.id(), c);
        return null;
    }

    /**
     * Files a connection under a user (after an {@code auth} frame).
     *
     * @param c the connection
     * @param user the user
     * @return {@code false} when the per-user limit refuses it
     */
    boolean addUser(Connection c, String user) {
        boolean[] ok = {true};
        byUser.compute(user, (k, set) -> {
            Set<Connection> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            if (maxPerUser > 0 && s.size() >= maxPerUser) {
                ok[0] = false;
            } else {
                s.add(c);
            }
            return s.isEmpty() ? null : s;
        });
        return ok[0];
    }

    /**
     * Unregisters a connection; idempotent.
     *
     * @param c the connection
     */
    void remove(Connection c) {
        if (!byId.remove(c.id(), c)) {
            return;
        }
        total.decrementAndGet();
        decrementIp(c.remoteAddress());
        String user = c.user();
        if (user != null) {
            byUser.computeIfPresent(user, (k, set) -> {
                set.remove(c);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private void decrementIp(String ip) {
        perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    Connection get(String id) {
        return byId.get(id);
    }

    Collection<Connection> all() {
        return byId.values();
    }

    List<Connection> ofUser(String user) {
        Set<Connection> s = byUser.get(user);
        return s == null ? List.of() : List.copyOf(s);
    }

    int size() {
        return byId.size();
    }

}
