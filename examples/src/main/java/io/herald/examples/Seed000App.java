package io.herald.examples;

import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.Principal;
import io.herald.RateLimit;
import io.herald.spi.Authorizer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Seed 000, task-event streaming in that system's own wire format ({@link Seed000Codec}): anonymous
 * clients get task events; {@code system.*} only reaches principals holding {@code system:read} (an HS256
 * JWT at the handshake), also through {@code **}; more than 100 messages a minute from one client (burst
 * 100) answer the seed's rate-limit error. The JWT secret is {@code HERALD_JWT_SECRET}, or a demo secret.
 */
final class Seed000App implements ExampleApp {
    static final String DEMO_SECRET = "herald-demo-secret";

    private final Hs256Jwt jwt;
    private final boolean demoSecret;

    Seed000App() {
        String secret = System.getenv("HERALD_JWT_SECRET");
        this.demoSecret = secret == null || secret.isEmpty();
        this.jwt = new Hs256Jwt(demoSecret ? DEMO_SECRET : secret, Clock.systemUTC());
    }

    @Override
    public String name() {
        return "seed000";
    }

    @Override
    public String summary() {
        return "task events in seed 000's own wire format (Codec SPI), JWT system:read, rate limit";
    }

    @Override
    public void configure(HubBuilder builder) {
        builder.codec(new Seed000Codec("demo", Clock.systemUTC()))
                .authenticator(new JwtAuthenticator(jwt, true))
                .authorizer(new SystemReadAuthorizer())
                .inboundRate(RateLimit.of(100 / 60.0, 100));
    }

    @Override
    public AutoCloseable startTraffic(Hub hub) {
        DemoTraffic traffic = new DemoTraffic(hub);
        traffic.start();
        return traffic;
    }

    /**
     * @param user the subject
     * @param permissions its permissions
     * @return a token valid for an hour
     */
    String token(String user, List<String> permissions) {
        return jwt.sign(Map.of("sub", user, "permissions", permissions,
                "exp", Instant.now().plusSeconds(3600).getEpochSecond()));
    }

    @Override
    public void printHelp(PrintStream out, int port) {
        if (demoSecret) {
            out.println("JWT secret: the demo secret '" + DEMO_SECRET + "' (set HERALD_JWT_SECRET to use yours)");
        }
        out.println("Anonymous clients get task.*; system.* needs system:read. A token with it, valid 1 h:");
        out.println("  " + token("operator", List.of("system:read")));
        out.println("Send {\"type\":\"subscribe\",\"events\":[\"task.*\",\"system.*\",\"**.error\"]} to ws://localhost:"
                + port + DemoServer.WS_PATH + " (header Authorization: Bearer <token>, or ?token=)");
    }

    /** Seed 000's permission rule: {@code system.*} needs {@code system:read}, checked per delivered event. */
    static final class SystemReadAuthorizer implements Authorizer {
        @Override
        public boolean mayReceive(Principal principal, String topic) {
            return !topic.startsWith("system.") || principal.has("system:read");
        }
    }
}
