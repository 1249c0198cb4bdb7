package io.herald.micrometer;

import io.herald.Hub;
import io.herald.HubMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a hub's {@link HubMetrics} to a Micrometer registry: gauges {@code herald.connections},
 * {@code herald.subscriptions}, {@code herald.rooms}, {@code herald.queued.frames}; counters
 * {@code herald.events.published}, {@code herald.events.delivered}, {@code herald.events.dropped},
 * {@code herald.slow.consumers}, {@code herald.rate.limited}, {@code herald.errors}. Every meter carries the
 * tag {@code node} (the hub's node name) plus the tags given. Name the node ({@code HubBuilder.node}): the
 * default is random, so each restart would start new time series; and two hubs bound to one registry under
 * the same node name share meters, which read the first hub only.
 *
 * <p>The meters read the hub's counters when the registry asks (they add no work to the publish path) and
 * hold the hub weakly, as Micrometer's function meters do. Thread-safe.
 *
 * <pre>{@code
 * new HeraldMeterBinder(hub).bindTo(meterRegistry);
 * }</pre>
 */
public final class HeraldMeterBinder implements MeterBinder {
    private final Hub hub;
    private final Tags tags;

    /**
     * @param hub the hub to observe
     * @param tags extra tags for every meter
     */
    public HeraldMeterBinder(Hub hub, Tag... tags) {
        if (hub == null) {
            throw new IllegalArgumentException("hub must not be null");
        }
        this.hub = hub;
        this.tags = Tags.of(tags).and("node", hub.node());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "herald.connections", "open connections", HubMetrics::connections);
        gauge(registry, "herald.subscriptions", "subscriptions held by open connections", HubMetrics::subscriptions);
        gauge(registry, "herald.rooms", "rooms with members", HubMetrics::rooms);
        gauge(registry, "herald.queued.frames", "frames waiting in outbound queues", HubMetrics::queuedFrames);
        counter(registry, "herald.events.published", "events accepted by publish, emit and sends",
                HubMetrics::eventsPublished);
        counter(registry, "herald.events.delivered", "event frames queued to connections",
                HubMetrics::eventsDelivered);
        counter(registry, "herald.events.dropped", "event frames dropped by the drop-oldest policy",
                HubMetrics::eventsDropped);
        counter(registry, "herald.slow.consumers", "connections closed because their queue overflowed",
                HubMetrics::slowConsumerDisconnects);
        counter(registry, "herald.rate.limited", "requests and handshakes refused by a rate limit",
                HubMetrics::rateLimited);
        counter(registry, "herald.errors", "requests answered with an error frame", HubMetrics::errors);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<HubMetrics> f) {
        Gauge.builder(name, hub, h -> f.applyAsDouble(h.metrics())).description(description).tags(tags)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<HubMetrics> f) {
        FunctionCounter.builder(name, hub, h -> f.applyAsDouble(h.metrics())).description(description).tags(tags)
                .register(registry);
    }
}
