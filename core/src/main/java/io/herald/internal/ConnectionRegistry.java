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
        String ip = c.addressKey();
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
        if (user != null) {
            c.filedUser = user;
            if (!file(c, user)) {
                decrementIp(ip);
                total.decrementAndGet();
                return "too many connections for user " + user;
            }
        }
        byId.put(c.id(), c);
        return null;
    }

    /** What became of a connection filed under the user it authenticated as. */
    enum Filing {
        /** Filed. */
        FILED,
        /** The per-user limit refused it. */
        OVER_LIMIT,
        /** It was no longer registered: it closed meanwhile, and stays filed under no user. */
        CLOSED
    }

    /**
     * Files a registered connection under the user it authenticated as (an {@code auth} frame), unless it
     * closed meanwhile: a connection unregistered while it authenticates is never left filed under its user.
     *
     * @param c the connection
     * @param user the user
     * @return whether it was filed, refused by the per-user limit, or found closed
     */
    Filing addUser(Connection c, String user) {
        // set before the check below; remove() takes c out of byId before it reads filedUser, so one of the
        // two sees the other and c is unfiled
        c.filedUser = user;
        if (!file(c, user)) {
            c.filedUser = null;
            return Filing.OVER_LIMIT;
        }
        if (byId.get(c.id()) != c) {
            unfile(c, user);
            return Filing.CLOSED;
        }
        return Filing.FILED;
    }

    /** @return {@code false} when the per-user limit refuses {@code c} */
    private boolean file(Connection c, String user) {
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
        decrementIp(c.addressKey());
        String user = c.filedUser;
        if (user != null) {
            unfile(c, user);
        }
    }

    private void unfile(Connection c, String user) {
        byUser.computeIfPresent(user, (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
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
