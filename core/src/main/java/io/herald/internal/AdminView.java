package io.herald.internal;

import io.herald.ConnectionInfo;
import io.herald.HubAdmin;
import io.herald.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Read-only introspection over the live tables. */
final class AdminView implements HubAdmin {
    private final ConnectionRegistry registry;
    private final RoomTable rooms;

    AdminView(ConnectionRegistry registry, RoomTable rooms) {
        this.registry = registry;
        this.rooms = rooms;
    }

    @Override
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> out = new ArrayList<>();
        for (Connection c : registry.all()) {
            out.add(c.info());
        }
        return out;
    }

    @Override
    public Optional<ConnectionInfo> connection(String connectionId) {
        Connection c = registry.get(connectionId);
        return c == null ? Optional.empty() : Optional.of(c.info());
    }

    @Override
    public List<ConnectionInfo> connectionsOf(String user) {
        List<ConnectionInfo> out = new ArrayList<>();
        for (Connection c : registry.ofUser(user)) {
            out.add(c.info());
        }
        return out;
    }

    @Override
    public Set<String> rooms() {
        return rooms.names();
    }

    @Override
    public List<Member> members(String room) {
        return rooms.memberList(room);
    }

    @Override
    public int connectionCount() {
        return registry.size();
    }
}
