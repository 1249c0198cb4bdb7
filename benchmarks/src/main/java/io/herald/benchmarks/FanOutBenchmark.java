package io.herald.benchmarks;

import io.herald.Hub;
import io.herald.RateLimit;
import io.herald.spi.ConnectionHandle;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One event to 10,000 local subscribers of one topic through an in-memory transport. Each invocation
 * publishes one ~100-byte event, and JMH divides by the 10,000 deliveries it makes, so the score and
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} are per delivery. The transport completes every send at
 * once, so each delivery also exercises the writer hand-off (offer, start writer, send, complete).
 * Setup ends with full collections so the connections sit in the old generation, as they do in a server
 * that has run for a while; with young connections G1's write barriers would look cheaper than they are.
 * The hub writes every recipient on the publishing thread ({@code fanoutThreads(0)}), so the figure is
 * the core's whole cost per delivery on one core; the fan-out threads are measured end to end by the
 * load generator.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FanOutBenchmark {
    static final int SUBSCRIBERS = 10_000;

    /** {@code WEBSOCKET} or {@code SSE} framing for every subscriber. */
    @Param({"WEBSOCKET", "SSE"})
    public String framing;

    private Hub hub;
    private Map<String, Object> payload;
    private final List<NullTransport> transports = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        hub = Hub.builder()
                .fanoutThreads(0)
                .maxConnections(0, 0, 0)
                .handshakeRate(RateLimit.UNLIMITED)
                .inboundRate(RateLimit.UNLIMITED)
                .heartbeat(Duration.ofHours(1))
                .historySize(1_000)
                .maxReplay(1_000)
                .build();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            NullTransport t = new NullTransport(Framing.valueOf(framing));
            ConnectionHandle h = hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), t);
            h.onText("{\"type\":\"subscribe\",\"topics\":[\"tenant-1.orders.paid\"]}");
            transports.add(t);
        }
        // Connections live long: promote them to the old generation, as in a running server, so the
        // garbage collector's write barriers cost what they cost in production.
        System.gc();
        System.gc();
        payload = Map.of("orderId", "ord-000123456", "amount", 4299, "currency", "EUR",
                "customer", "cust-98765", "status", "paid");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long frames = transports.stream().mapToLong(t -> t.frames).sum();
        if (frames < SUBSCRIBERS) {
            throw new IllegalStateException("subscribers received only " + frames + " frames");
        }
        hub.close(Duration.ofSeconds(1));
    }

    /** @return the event id, so the work is not eliminated */
    @Benchmark
    @OperationsPerInvocation(SUBSCRIBERS)
    public String publishToTenThousandSubscribers() {
        return hub.publish("tenant-1.orders.paid", payload);
    }
}
