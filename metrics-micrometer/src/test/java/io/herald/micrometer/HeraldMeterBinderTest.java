package io.herald.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.testing.TestClient;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hub's counters and gauges as a Micrometer registry reports them. */
class HeraldMeterBinderTest {
    @Test
    void registryReportsWhatTheHubCounts() {
        try (Hub hub = Hub.builder().node("n1").build()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new HeraldMeterBinder(hub, Tag.of("app", "test")).bindTo(registry);
            TestClient a = TestClient.connect(hub);
            TestClient b = TestClient.connect(hub);
            for (TestClient c : List.of(a, b)) {
                c.send("type", "subscribe", "topics", List.of("t.*"));
                c.expect("subscribed");
            }
            a.sendRaw("not json");
            a.expect("error");
            hub.publish("t.x", 1);
            hub.publish("t.y", 2);

            assertThat(registry.get("herald.connections").tag("node", "n1").tag("app", "test").gauge().value())
                    .isEqualTo(2);
            assertThat(registry.get("herald.subscriptions").gauge().value()).isEqualTo(2);
            assertThat(registry.get("herald.events.published").functionCounter().count()).isEqualTo(2);
            assertThat(registry.get("herald.events.delivered").functionCounter().count()).isEqualTo(4);
            assertThat(registry.get("herald.errors").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("herald.slow.consumers").functionCounter().count()).isZero();
        }
    }
}
