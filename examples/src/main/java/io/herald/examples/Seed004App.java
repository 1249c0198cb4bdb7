package io.herald.examples;

import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.Principal;
import io.herald.spi.AuthenticationException;
import io.herald.spi.Authenticator;
import io.herald.spi.Authorizer;
import io.herald.spi.Handshake;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Seed 004, channel subscriptions with payload filters, on Herald's own protocol: a channel is a topic,
 * the seed's {@code filters} are Herald's subscription {@code filter}. Only the channels in
 * {@link #CHANNELS} may be subscribed to (exact names, no wildcards); anything else answers
 * {@code FORBIDDEN} "may not subscribe to '…'" and changes nothing. Every client is a service that sends
 * {@code Authorization: Bearer <API key>} (or {@code ?token=} from a browser); the key is
 * {@code NEXUS_API_KEY}, or a demo key. SIGTERM closes every client with 1001 {@code shutdown} (the demo's
 * shutdown hook).
 */
final class Seed004App implements ExampleApp {
    static final String DEMO_KEY = "herald-demo-key";
    static final List<String> CHANNELS = List.of("telemetry.metrics", "telemetry.events", "tasks.updates",
            "tasks.created", "commands.status", "ai.requests", "system.alerts");
    private static final List<String> PRIORITIES = List.of("low", "normal", "high", "critical");
    private static final List<String> SOURCES = List.of("agent_001", "agent_002", "server-01");

    private final String apiKey;
    private final boolean demoKey;

    Seed004App() {
        String key = System.getenv("NEXUS_API_KEY");
        this.demoKey = key == null || key.isEmpty();
        this.apiKey = demoKey ? DEMO_KEY : key;
    }

    @Override
    public String name() {
        return "seed004";
    }

    @Override
    public String summary() {
        return "channel subscriptions with payload filters, channel allow-list, Bearer API key";
    }

    @Override
    public void configure(HubBuilder builder) {
        builder.authenticator(new ApiKeyAuthenticator(apiKey)).authorizer(new ChannelAllowList());
    }

    @Override
    public AutoCloseable startTraffic(Hub hub) {
        Random random = new Random(4);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-seed004");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(() -> hub.publish("telemetry.metrics", Map.of(
                "event_type", "system.metric", "source", SOURCES.get(random.nextInt(SOURCES.size())),
                "metric_name", "cpu_usage", "value", Math.round(random.nextDouble() * 1000) / 10.0,
                "priority", PRIORITIES.get(random.nextInt(PRIORITIES.size())))), 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(() -> hub.publish("tasks.created", Map.of(
                "task_id", "task_" + random.nextInt(10_000), "source", SOURCES.get(random.nextInt(SOURCES.size())),
                "priority", PRIORITIES.get(random.nextInt(PRIORITIES.size())))), 2, 2, TimeUnit.SECONDS);
        return scheduler::shutdownNow;
    }

    @Override
    public void printHelp(PrintStream out, int port) {
        if (demoKey) {
            out.println("API key: the demo key '" + DEMO_KEY + "' (set NEXUS_API_KEY to use yours)");
        }
        out.println("Channels: " + String.join(", ", CHANNELS));
        out.println("Connect to ws://localhost:" + port + DemoServer.WS_PATH + " with Authorization: Bearer <key>, then:");
        out.println("  {\"type\":\"subscribe\",\"ref\":\"1\",\"topics\":[\"tasks.created\"],"
                + "\"filter\":{\"priority\":[\"high\",\"critical\"]}}");
    }

    /** Accepts exactly one API key, compared in constant time; the principal is the user {@code service}. */
    static final class ApiKeyAuthenticator implements Authenticator {
        private final byte[] key;

        ApiKeyAuthenticator(String key) {
            this.key = key.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Principal authenticate(String token, Handshake handshake) throws AuthenticationException {
            if (token == null) {
                throw new AuthenticationException("Missing authentication token");
            }
            if (!MessageDigest.isEqual(key, token.getBytes(StandardCharsets.UTF_8))) {
                throw new AuthenticationException("Invalid token");
            }
            return Principal.of("service");
        }
    }

    /** Subscriptions only to the listed channels. */
    static final class ChannelAllowList implements Authorizer {
        private final Set<String> channels = Set.copyOf(CHANNELS);

        @Override
        public boolean maySubscribe(Principal principal, String pattern) {
            return channels.contains(pattern);
        }
    }
}
