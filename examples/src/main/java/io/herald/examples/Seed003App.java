package io.herald.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.Principal;
import io.herald.RouteException;
import io.herald.RouteHandler.RouteRequest;
import io.herald.spi.Authorizer;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Seed 003 (Socket.IO), acknowledgements and namespaces. An emit with an acknowledgement callback is a
 * Herald {@code send} with a {@code ref}: the route's return value is the acknowledgement, a failure is an
 * {@code error} frame with the same {@code ref}; the client bounds the wait ({@code requestTimeoutMs} in
 * {@code herald-client.js}, {@code orTimeout} on a Java future). Binary payloads travel as base64 strings
 * in JSON ({@code binary.echo}). A namespace {@code /admin} becomes the topic prefix {@code admin.} and
 * the room prefix {@code admin:}, guarded by the permission {@value #ADMIN} (an HS256 JWT signed with
 * {@code HERALD_JWT_SECRET} or the demo secret, as in seed000).
 */
final class Seed003App implements ExampleApp {
    static final String ADMIN = "namespace:admin";

    private final Hs256Jwt jwt = new Hs256Jwt(secret(), Clock.systemUTC());

    private static String secret() {
        String secret = System.getenv("HERALD_JWT_SECRET");
        return secret == null || secret.isEmpty() ? Seed000App.DEMO_SECRET : secret;
    }

    @Override
    public String name() {
        return "seed003";
    }

    @Override
    public String summary() {
        return "acknowledgements (send + ref), base64 binary payloads, namespaces as topic/room prefixes";
    }

    @Override
    public void configure(HubBuilder builder) {
        builder.authenticator(new JwtAuthenticator(jwt, true))
                .authorizer(new Namespaces())
                .route("request.deploy", Seed003App::deploy)
                .route("binary.echo", Seed003App::binaryEcho);
    }

    private static Object deploy(RouteRequest request) {
        JsonNode feature = request.data().path("featureId");
        if (!feature.isTextual()) {
            throw new IllegalArgumentException("featureId is required");
        }
        return Map.of("success", true, "result", Map.of("featureId", feature.asText(), "status", "started"));
    }

    private static Object binaryEcho(RouteRequest request) throws NoSuchAlgorithmException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(request.data().path("base64").asText(""));
        } catch (IllegalArgumentException e) {
            throw new RouteException(ErrorCode.BAD_REQUEST, "base64 is not valid base64");
        }
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        return Map.of("bytes", bytes.length, "sha256", sha256, "base64", Base64.getEncoder().encodeToString(bytes));
    }

    /**
     * @param user the subject
     * @param permissions its permissions
     * @return a token for this example
     */
    String token(String user, List<String> permissions) {
        return jwt.sign(Map.of("sub", user, "permissions", permissions));
    }

    @Override
    public AutoCloseable startTraffic(Hub hub) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-seed003");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(() -> hub.publish("admin.audit", Map.of("at", Instant.now().toString(),
                "what", "config reloaded")), 3, 3, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(() -> hub.publish("message.new", Map.of("message", "hello from the server")),
                2, 2, TimeUnit.SECONDS);
        return scheduler::shutdownNow;
    }

    @Override
    public void printHelp(PrintStream out, int port) {
        out.println("Acknowledged request on ws://localhost:" + port + DemoServer.WS_PATH + ":");
        out.println("  {\"type\":\"send\",\"ref\":\"1\",\"route\":\"request.deploy\",\"data\":{\"featureId\":\"1\"}}");
        out.println("Namespace /admin (topics admin.*, rooms admin:*) needs " + ADMIN + "; a token with it:");
        out.println("  " + token("admin", List.of(ADMIN)));
    }

    /** Namespace {@code /admin}: its topics and rooms need {@value #ADMIN}; the default namespace is open. */
    static final class Namespaces implements Authorizer {
        private static boolean inAdmin(String topicOrPattern) {
            return topicOrPattern.equals("admin") || topicOrPattern.startsWith("admin.");
        }

        /** Refuses explicit {@code admin.} patterns at once; wildcards are filtered per delivered topic. */
        @Override
        public boolean maySubscribe(Principal principal, String pattern) {
            return !inAdmin(pattern) || principal.has(ADMIN);
        }

        @Override
        public boolean mayReceive(Principal principal, String topic) {
            return !inAdmin(topic) || principal.has(ADMIN);
        }

        @Override
        public boolean mayJoin(Principal principal, String room) {
            return !room.startsWith("admin:") || principal.has(ADMIN);
        }
    }
}
