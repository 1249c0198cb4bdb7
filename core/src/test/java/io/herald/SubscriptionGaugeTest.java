package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The subscriptions gauge counts each subscription once, however its end comes about. */
class SubscriptionGaugeTest {
    private static final int ROUNDS = 200;
    private static final int PATTERNS = 64;

    private Hub hub;
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        hub.close(Duration.ofSeconds(1));
    }

    @Test
    void unsubscribeRacingWithCloseCountsEachSubscriptionOnce() throws Exception {
        hub = Hub.builder().handshakeRate(RateLimit.UNLIMITED).build();
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < PATTERNS; i++) {
            patterns.add("race.t" + i);
        }
        for (int round = 0; round < ROUNDS; round++) {
            TestClient c = TestClient.connect(hub);
            c.send("type", "subscribe", "topics", patterns);
            c.expect("subscribed");
            CyclicBarrier start = new CyclicBarrier(2);
            Future<?> unsubscribe = threads.submit(() -> {
                start.await();
                c.send("type", "unsubscribe", "topics", patterns);
                return null;
            });
            Future<?> close = threads.submit(() -> {
                start.await();
                c.close();
                return null;
            });
            unsubscribe.get(10, TimeUnit.SECONDS);
            close.get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(hub.admin().connectionCount()).isZero();
            assertThat(hub.metrics().subscriptions()).isZero();
        });
    }
}
