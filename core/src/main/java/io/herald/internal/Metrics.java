package io.herald.internal;

import io.herald.HubMetrics;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The hub's counters; gauges are read from the live tables. Thread-safe. */
final class Metrics implements HubMetrics {
    final LongAdder published = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder slowConsumers = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder subscriptionCount = new LongAdder();
    private final LongSupplier connections;
    private final LongSupplier rooms;
    private final LongSupplier queued;

    Metrics(LongSupplier connections, LongSupplier rooms, LongSupplier queued) {
        this.connections = connections;
        this.rooms = rooms;
        this.queued = queued;
    }

    @Override
    public long connections() {
        return connections.getAsLong();
    }

    @Override
    public long subscriptions() {
        return subscriptionCount.sum();
    }

    @Override
    public long rooms() {
        return rooms.getAsLong();
    }

    @Override
    public long eventsPublished() {
        return published.sum();
    }

    @Override
    public long eventsDelivered() {
        return delivered.sum();
    }

    @Override
    public long eventsDropped() {
        return dropped.sum();
    }

    @Override
    public long slowConsumerDisconnects() {
        return slowConsumers.sum();
    }

    @Override
    public long rateLimited() {
        return rateLimited.sum();
    }

    @Override
    public long queuedFrames() {
        return queued.getAsLong();
    }

    @Override
    public long errors() {
        return errors.sum();
    }

    @Override
    public String toString() {
        return "HubMetrics[connections=" + connections() + ", subscriptions=" + subscriptions() + ", rooms="
                + rooms() + ", published=" + eventsPublished() + ", delivered=" + eventsDelivered() + ", dropped="
                + eventsDropped() + ", slowConsumers=" + slowConsumerDisconnects() + ", rateLimited="
                + rateLimited() + ", errors=" + errors() + "]";
    }
}
