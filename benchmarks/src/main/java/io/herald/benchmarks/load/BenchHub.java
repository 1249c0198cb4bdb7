package io.herald.benchmarks.load;

import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.RateLimit;
import io.herald.spi.Authorizer;
import java.time.Duration;

/**
 * The hub every Herald benchmark server runs, whatever the container: open policy (clients may publish),
 * limits lifted so the load generator measures delivery, not refusals. {@code -Dbench.fanoutThreads=n} sets
 * the fan-out threads (default: the hub's); {@code -Dbench.heartbeatMs=n} the heartbeat (default 10 minutes,
 * so keep-alives stay out of the throughput figures). Names no container class, so a server on any
 * container can load it.
 */
public final class BenchHub {
    private BenchHub() {
    }

    /** @return a new hub, configured from the system properties above */
    public static Hub build() {
        HubBuilder builder = Hub.builder()
                .node("bench")
                .authorizer(Authorizer.OPEN)
                .maxConnections(0, 0, 0)
                .handshakeRate(RateLimit.UNLIMITED)
                .inboundRate(RateLimit.UNLIMITED)
                .publishRate(RateLimit.UNLIMITED)
                .heartbeat(Duration.ofMillis(Long.getLong("bench.heartbeatMs", 600_000)))
                .historySize(100_000);
        Integer fanoutThreads = Integer.getInteger("bench.fanoutThreads");
        if (fanoutThreads != null) {
            builder.fanoutThreads(fanoutThreads);
        }
        return builder.build();
    }
}
