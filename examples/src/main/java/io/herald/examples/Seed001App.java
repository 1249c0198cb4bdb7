package io.herald.examples;

import io.herald.Principal;
import io.herald.spi.Authorizer;

import io.herald.Hub;
import io.herald.HubBuilder;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Seed 001, rooms over WebSocket, on Herald's own protocol: the seed's {@code {type:'join', payload:room}}
 * is {@code {"type":"join","room":…}}, its {@code broadcast} is a room {@code publish}, its heartbeat is
 * Herald's (a WebSocket ping every 30 seconds; silent clients are closed). Members see each other's joins
 * and leaves as {@code presence} frames. The server posts {@code room.tick} into {@value #ROOM} every
 * 5 seconds. The seed's SSE channels are topics under {@code channel.} on Herald's SSE endpoints: a
 * stream on {@code GET /events?topics=channel.updates} (browsers resume it with {@code Last-Event-ID}),
 * the seed's {@code /events/subscribe} is Herald's (with the stream's control token), and its
 * {@code /events/send} is {@code POST /events/publish}, open to any client for {@code channel.**}. The
 * server posts {@code channel.updates} every 2 seconds.
 */
final class Seed001App implements ExampleApp {
    static final String ROOM = "room-1";
    static final String CHANNEL = "channel.updates";

    @Override
    public String name() {
        return "seed001";
    }

    @Override
    public String summary() {
        return "rooms with presence and room broadcasts; SSE channels with Last-Event-ID";
    }

    @Override
    public void configure(HubBuilder builder) {
        builder.authenticator(new DemoAuthenticator()).heartbeat(Duration.ofSeconds(30))
                .authorizer(new Authorizer() {
                    @Override
                    public boolean mayPublish(Principal principal, String topic) {
                        return topic.startsWith("channel.");
                    }
                });
    }

    @Override
    public AutoCloseable startTraffic(Hub hub) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-seed001");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(() -> hub.emit(ROOM, "room.tick", Map.of("at", Instant.now().toString())),
                5, 5, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(() -> hub.publish(CHANNEL, Map.of("at", Instant.now().toString())),
                2, 2, TimeUnit.SECONDS);
        return scheduler::shutdownNow;
    }

    @Override
    public void printHelp(PrintStream out, int port) {
        out.println("On ws://localhost:" + port + DemoServer.WS_PATH + "?token=user:<name>:");
        out.println("  {\"type\":\"join\",\"room\":\"room-1\",\"meta\":{\"name\":\"Ann\"}}");
        out.println("  {\"type\":\"publish\",\"room\":\"room-1\",\"topic\":\"room.message\",\"data\":{\"message\":\"Hello!\"}}");
        out.println("  {\"type\":\"leave\",\"room\":\"room-1\"}");
        out.println("SSE channels: GET http://localhost:" + port + DemoServer.SSE_PATH + "?topics=" + CHANNEL
                + "  and  POST " + DemoServer.SSE_PATH + "/publish {\"topic\":\"" + CHANNEL + "\",\"data\":{}}");
    }
}
