package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.Hub;
import io.herald.Principal;
import io.herald.spi.AuthenticationException;
import io.herald.testing.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The timer of an auth-frame deadline lives only while the connection still awaits its auth frame. */
class AuthDeadlineTimerTest {
    private HubEngine hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    @Test
    void theDeadlineTimerIsCancelledWhenTheConnectionAuthenticates() {
        hub = (HubEngine) Hub.builder().authFrameDeadline(Duration.ofMinutes(5)).authenticator((token, h) -> {
            if (!"good".equals(token)) {
                throw new AuthenticationException("a good token is required");
            }
            return Principal.of("ann");
        }).build();
        int idle = hub.scheduler.getQueue().size();

        TestClient c = TestClient.connect(hub);
        assertThat(hub.scheduler.getQueue()).as("the deadline's timer").hasSize(idle + 1);
        c.send("type", "auth", "ref", "a", "token", "good");
        c.expect("authenticated");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(hub.scheduler.getQueue()).as("only the hub's own timers").hasSize(idle));
        assertThat(hub.admin().connectionsOf("ann")).hasSize(1);
    }
}
