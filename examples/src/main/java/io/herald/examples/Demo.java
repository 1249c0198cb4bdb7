package io.herald.examples;

import io.herald.Hub;
import io.herald.Principal;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import io.herald.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A console tour of the core: two in-process clients talk to a hub through the transport SPI and every
 * frame they receive is printed. The network servers (WebSocket, SSE) come with their own modules.
 */
public final class Demo {
    private Demo() {
    }

    /** A transport that prints what the hub writes to it. */
    private record ConsoleTransport(String name) implements Transport {
        @Override
        public Framing framing() {
            return Framing.WEBSOCKET;
        }

        @Override
        public void send(List<OutboundFrame> frames, SendCallback callback) {
            for (OutboundFrame f : frames) {
                if (f.kind() == OutboundFrame.Kind.MESSAGE) {
                    System.out.println("  " + name + " <- " + f.text());
                }
            }
            callback.completed();
        }

        @Override
        public void close(int code, String reason) {
            System.out.println("  " + name + " closed " + code + " " + reason);
        }
    }

    /** @param args ignored */
    public static void main(String[] args) {
        try (Hub hub = Hub.builder().node("demo")
                .authenticator((token, h) -> token == null ? Principal.anonymous() : Principal.of(token))
                .route("echo", r -> Map.of("youSaid", r.data()))
                .build()) {
            ConnectionHandle ann = connect(hub, "ann");
            ConnectionHandle bob = connect(hub, "bob");

            step("ann subscribes to task.* and bob to **.error");
            ann.onText("{\"type\":\"subscribe\",\"ref\":\"1\",\"topics\":[\"task.*\"]}");
            bob.onText("{\"type\":\"subscribe\",\"ref\":\"1\",\"topics\":[\"**.error\"]}");

            step("the server publishes task.created and db.conn.error");
            String first = hub.publish("task.created", Map.of("id", 1, "title", "write docs"));
            hub.publish("db.conn.error", Map.of("message", "connection refused"));

            step("both join chat:general; ann says hello");
            ann.onText("{\"type\":\"join\",\"room\":\"chat:general\",\"meta\":{\"name\":\"Ann\"}}");
            bob.onText("{\"type\":\"join\",\"room\":\"chat:general\",\"meta\":{\"name\":\"Bob\"}}");
            ann.onText("{\"type\":\"publish\",\"room\":\"chat:general\",\"topic\":\"chat.message\","
                    + "\"data\":{\"text\":\"hello\"}}");

            step("bob calls a route and sends a bad request");
            bob.onText("{\"type\":\"send\",\"ref\":\"s1\",\"route\":\"echo\",\"data\":\"ping?\"}");
            bob.onText("{\"type\":\"subscribe\",\"ref\":\"bad\",\"topics\":[\"task..x\"]}");

            step("ann drops; two tasks happen; she comes back and resumes after " + first);
            ann.onClosed(1006, "network");
            hub.publish("task.assigned", Map.of("id", 1, "to", "bob"));
            hub.publish("task.completed", Map.of("id", 1));
            ConnectionHandle again = connect(hub, "ann");
            again.onText("{\"type\":\"subscribe\",\"ref\":\"2\",\"topics\":[\"task.*\"],\"since\":\"" + first + "\"}");

            step("shutdown");
            hub.close(Duration.ofSeconds(1));
            System.out.println(hub.metrics());
        }
    }

    private static ConnectionHandle connect(Hub hub, String user) {
        return hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").query("token", user).build()),
                new ConsoleTransport(user));
    }

    private static void step(String what) {
        System.out.println();
        System.out.println("# " + what);
    }
}
