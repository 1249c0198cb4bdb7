package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.RateLimit;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code batch} a handshake asks for is the window its connection gets, capped by {@code maxBatchMs}. */
class BatchWindowTest {
    private HubEngine hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    @Test
    void leadingZerosAndSurroundingSpacesDoNotChangeTheWindowAndLongNumbersAreCapped() {
        hub = (HubEngine) Hub.builder().handshakeRate(RateLimit.UNLIMITED).maxBatchMs(1_000).build();
        Map<String, Integer> windows = Map.of("0", 0, "0000000000", 0, "00000000005", 5, " 50 ", 50, "", 0,
                "99999999999", 1_000, "1000000", 1_000);
        windows.forEach((asked, expected) -> {
            TestClient c = TestClient.connect(hub, Handshake.builder("127.0.0.1").query("batch", asked).build(),
                    Framing.WEBSOCKET);
            assertThat(hub.registry.get(c.id()).batchMs).as("batch=%s", asked).isEqualTo(expected);
        });
    }
}
