package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.spi.AuthenticationException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Hs256JwtTest {
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC);
    private final Hs256Jwt jwt = new Hs256Jwt("secret", clock);

    @Test
    void aSignedTokenVerifiesAndGivesItsClaimsBack() throws Exception {
        String token = jwt.sign(Map.of("sub", "ann", "permissions", List.of("system:read"), "exp", 1_000_060));
        assertThat(jwt.verify(token)).containsEntry("sub", "ann").containsEntry("permissions", List.of("system:read"));
    }

    @Test
    void expiredTamperedForeignAndMalformedTokensAreRefused() {
        String expired = jwt.sign(Map.of("sub", "ann", "exp", 1_000_000));
        assertThatThrownBy(() -> jwt.verify(expired)).isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
        String foreign = new Hs256Jwt("other", clock).sign(Map.of("sub", "ann"));
        assertThatThrownBy(() -> jwt.verify(foreign)).hasMessageContaining("signature");
        String valid = jwt.sign(Map.of("sub", "ann"));
        String tampered = valid.substring(0, valid.indexOf('.') + 1) + jwt.sign(Map.of("sub", "root")).split("\\.")[1]
                + valid.substring(valid.lastIndexOf('.'));
        assertThatThrownBy(() -> jwt.verify(tampered)).hasMessageContaining("signature");
        assertThatThrownBy(() -> jwt.verify("a.b")).hasMessageContaining("not a JWT");
        assertThatThrownBy(() -> jwt.verify("%%.%%.%%")).hasMessageContaining("malformed");
    }

    @Test
    void theJwtAuthenticatorMapsSubAndPermissionsAndLetsAnonymousClientsIn() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(jwt, true);
        assertThat(auth.authenticate(null, null).isAnonymous()).isTrue();
        var principal = auth.authenticate(jwt.sign(Map.of("sub", "ops", "permissions", List.of("system:read"))), null);
        assertThat(principal.user()).isEqualTo("ops");
        assertThat(principal.has("system:read")).isTrue();
        assertThatThrownBy(() -> new JwtAuthenticator(jwt, false).authenticate(null, null))
                .hasMessageContaining("required");
    }
}
