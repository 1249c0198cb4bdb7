package io.herald.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.ErrorCode;
import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.HubListener;
import io.herald.Member;
import io.herald.RouteException;
import io.herald.RouteHandler.RouteRequest;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Seed 002, controller routing: the seed's {@code {type, action, data}} routes become Herald {@code send}
 * routes named {@code type.action}, and a controller method's return value becomes the {@code reply}.
 *
 * <ul>
 *   <li>{@code chat.send} {@code {text, username}} emits {@code chat.message} into the room
 *       {@value #ROOM} (everyone, the sender too) and replies {@code {success, messageId}}; no text →
 *       {@code HANDLER_ERROR}.</li>
 *   <li>{@code chat.typing} {@code {username}} emits {@code chat.userTyping} to the room except the sender.</li>
 *   <li>{@code private.message} {@code {to, text}} sends to one connection; unknown → {@code NOT_FOUND}.</li>
 *   <li>{@code system.rooms} replies every room with its members (room introspection).</li>
 *   <li>Lifecycle hooks: a connecting client gets {@code system.welcome} with its {@code clientId}; joins
 *       and leaves are logged.</li>
 *   <li>Inactive clients: a connection that called no route for {@code inactiveTime} is closed
 *       {@code 1000 inactive}, checked every {@code inactiveTime / 5}.</li>
 * </ul>
 * The seed's {@code system.joinRoom}/{@code leaveRoom} are Herald's own {@code join}/{@code leave} frames.
 */
final class Seed002App implements ExampleApp {
    static final String ROOM = "general";
    static final CloseReason INACTIVE = new CloseReason(CloseReason.NORMAL, "inactive");

    private final Duration inactiveTime;
    private final Clock clock;
    private final Map<String, Long> lastActivity = new ConcurrentHashMap<>();
    private final AtomicReference<Hub> hub = new AtomicReference<>();

    Seed002App() {
        this(Duration.ofMinutes(5), Clock.systemUTC());
    }

    Seed002App(Duration inactiveTime, Clock clock) {
        this.inactiveTime = inactiveTime;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "seed002";
    }

    @Override
    public String summary() {
        return "controller routing: send routes type.action, replies, room broadcasts, lifecycle hooks";
    }

    @Override
    public void configure(HubBuilder builder) {
        builder.authenticator(new DemoAuthenticator())
                .listener(new Lifecycle())
                .route("chat.send", this::chatSend)
                .route("chat.typing", this::chatTyping)
                .route("private.message", this::privateMessage)
                .route("system.rooms", this::rooms);
    }

    private void touch(RouteRequest request) {
        // only connections still open are tracked: a route finishing after its connection closed must not
        // put it back
        lastActivity.computeIfPresent(request.connectionId(), (id, last) -> clock.millis());
    }

    private Object chatSend(RouteRequest request) {
        touch(request);
        JsonNode text = request.data().path("text");
        if (!text.isTextual() || text.asText().isBlank()) {
            throw new IllegalArgumentException("Invalid message format: data.text must be a non-empty string");
        }
        String username = request.data().path("username").asText("Anonymous");
        String id = request.hub().emit(ROOM, "chat.message", Map.of("username", username, "message", text.asText(),
                "timestamp", clock.instant().toString()));
        return Map.of("success", true, "messageId", id);
    }

    private Object chatTyping(RouteRequest request) {
        touch(request);
        String username = request.data().path("username").asText("Anonymous");
        request.hub().emit(ROOM, "chat.userTyping", Map.of("username", username), request.connectionId());
        return Map.of("success", true);
    }

    private Object privateMessage(RouteRequest request) {
        touch(request);
        String to = request.data().path("to").asText("");
        boolean sent = request.hub().sendToConnection(to, "private.message",
                Map.of("from", request.connectionId(), "text", request.data().path("text").asText("")));
        if (!sent) {
            throw new RouteException(ErrorCode.NOT_FOUND, "no client " + to);
        }
        return Map.of("success", true);
    }

    private Object rooms(RouteRequest request) {
        touch(request);
        Map<String, Object> rooms = new LinkedHashMap<>();
        for (String room : request.hub().admin().rooms()) {
            List<Member> members = request.hub().admin().members(room);
            rooms.put(room, Map.of("count", members.size(), "members", members));
        }
        return Map.of("rooms", rooms);
    }

    @Override
    public AutoCloseable startTraffic(Hub running) {
        hub.set(running);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-seed002");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, inactiveTime.toMillis() / 5);
        scheduler.scheduleAtFixedRate(this::disconnectInactive, period, period, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(() -> running.emit(ROOM, "announcement.new",
                Map.of("message", "server time " + clock.instant())), 5, 5, TimeUnit.SECONDS);
        return scheduler::shutdownNow;
    }

    private void disconnectInactive() {
        Hub h = hub.get();
        long now = clock.millis();
        for (ConnectionInfo c : h.admin().connections()) {
            long last = lastActivity.getOrDefault(c.connectionId(), c.connectedAt());
            if (now - last >= inactiveTime.toMillis()) {
                h.disconnect(c.connectionId(), INACTIVE);
            }
        }
    }

    @Override
    public void printHelp(PrintStream out, int port) {
        out.println("Join the room and call a route on ws://localhost:" + port + DemoServer.WS_PATH + ":");
        out.println("  {\"type\":\"join\",\"room\":\"general\"}");
        out.println("  {\"type\":\"send\",\"ref\":\"1\",\"route\":\"chat.send\",\"data\":{\"text\":\"hi\",\"username\":\"ann\"}}");
        out.println("Inactive clients (no route called for " + inactiveTime.toSeconds() + " s) are disconnected.");
    }

    /** The seed's lifecycle hooks: a welcome on connect, activity bookkeeping, a log line on room changes. */
    private final class Lifecycle implements HubListener {
        @Override
        public void onConnected(ConnectionInfo connection) {
            lastActivity.put(connection.connectionId(), clock.millis());
            Hub h = hub.get();
            if (h != null) {
                h.sendToConnection(connection.connectionId(), "system.welcome",
                        Map.of("clientId", connection.connectionId(), "message", "Welcome!"));
            }
        }

        @Override
        public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
            lastActivity.remove(connection.connectionId());
        }

        @Override
        public void onJoin(String room, Member member) {
            System.out.println("seed002: " + member.connectionId() + " joined " + room);
        }

        @Override
        public void onLeave(String room, Member member) {
            System.out.println("seed002: " + member.connectionId() + " left " + room);
        }
    }
}
