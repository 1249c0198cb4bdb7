package io.herald.examples;

import io.herald.Hub;
import io.herald.HubMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the dashboard's demo traffic on one daemon thread ({@code herald-demo-traffic}): a task
 * life cycle ({@code task.created}, {@code task.assigned}, {@code task.completed}) every 1.5 seconds, a
 * {@code worker.queue.error} with every fifth task, and {@code system.health} every second.
 */
final class DemoTraffic implements AutoCloseable {
    private static final List<String> PEOPLE = List.of("alice", "bob", "carol", "dave");
    private static final List<String> PRIORITIES = List.of("low", "normal", "high", "critical");

    private final Hub hub;
    private final Random random = new Random(7);
    private final long started = System.currentTimeMillis();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-demo-traffic");
        t.setDaemon(true);
        return t;
    });
    private int nextTask = 1;

    DemoTraffic(Hub hub) {
        this.hub = hub;
    }

    void start() {
        scheduler.scheduleAtFixedRate(this::safeTask, 500, 1500, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(this::safeHealth, 0, 1000, TimeUnit.MILLISECONDS);
    }

    private void safeTask() {
        try {
            task();
        } catch (IllegalStateException closed) {
            scheduler.shutdown();
        }
    }

    private void safeHealth() {
        try {
            health();
        } catch (IllegalStateException closed) {
            scheduler.shutdown();
        }
    }

    private void task() {
        int id = nextTask++;
        String title = "Task " + id;
        hub.publish("task.created", Map.of("taskId", id, "title", title,
                "priority", PRIORITIES.get(random.nextInt(PRIORITIES.size()))));
        scheduler.schedule(() -> hub.publish("task.assigned", Map.of("taskId", id, "title", title,
                "assignee", PEOPLE.get(random.nextInt(PEOPLE.size())))), 500, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> hub.publish("task.completed", Map.of("taskId", id, "title", title)),
                1000, TimeUnit.MILLISECONDS);
        if (id % 5 == 0) {
            hub.publish("worker.queue.error", Map.of("taskId", id, "message", "worker timed out, task requeued"));
        }
    }

    private void health() {
        HubMetrics m = hub.metrics();
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("node", hub.node());
        data.put("uptimeSeconds", (System.currentTimeMillis() - started) / 1000);
        data.put("connections", m.connections());
        data.put("subscriptions", m.subscriptions());
        data.put("rooms", m.rooms());
        data.put("eventsPublished", m.eventsPublished());
        data.put("eventsDelivered", m.eventsDelivered());
        data.put("eventsDropped", m.eventsDropped());
        data.put("heapUsedMb", (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024));
        hub.publish("system.health", data);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
