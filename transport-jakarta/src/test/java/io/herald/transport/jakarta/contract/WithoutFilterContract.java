package io.herald.transport.jakarta.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The endpoint registered alone, without Herald's handshake filter (a {@code ServerApplicationConfig}, or an
 * application that skips the filter): what docs/transports.md promises such a client sees. A container test
 * class extends it and starts the container without the filter.
 */
public abstract class WithoutFilterContract extends ContractSupport {
    @Override
    protected final boolean refusesBeforeUpgrade() {
        return false;
    }

    @Test
    void aForbiddenOriginIsStillRefusedWith403BeforeTheUpgrade() throws Exception {
        serve(b -> b.allowedOrigins("https://app.example.com"));
        assertRefusedWithStatus(server.uri(), Map.of("Origin", "https://evil.example.net"), 403);
        JdkClient ok = track(JdkClient.connect(server.uri(), Map.of("Origin", "https://app.example.com")));
        assertThat(ok.next("connected")).isNotNull();
    }

    @Test
    void aMalformedQueryIsUpgradedAndClosedWith1008OrRefusedByTheContainer() throws Exception {
        assertMalformedQueriesAreRefused();
    }

    @Test
    void missingCredentialsAreUpgradedAndClosedWith1008BeforeAnyFrame() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()));
        assertRefused(server.uri(), Map.of(), 401, 1008, "unauthorized");
        JdkClient ok = track(JdkClient.connect(server.uri(),
                Map.of("Authorization", "Bearer " + TestTokens.valid("ann"))));
        assertThat(ok.next("connected").path("user").asText()).isEqualTo("ann");
        assertThat(hub.admin().connectionCount()).isEqualTo(1);
    }
}
