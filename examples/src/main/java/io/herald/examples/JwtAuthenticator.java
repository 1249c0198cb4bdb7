package io.herald.examples;

import io.herald.Principal;
import io.herald.spi.AuthenticationException;
import io.herald.spi.Authenticator;
import io.herald.spi.Handshake;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accepts anonymous clients and HS256 JWTs: {@code sub} is the user, {@code permissions} (an array of
 * strings) the principal's permissions. A token that does not verify is refused (HTTP 401).
 */
final class JwtAuthenticator implements Authenticator {
    private final Hs256Jwt jwt;
    private final boolean anonymousAllowed;

    JwtAuthenticator(Hs256Jwt jwt, boolean anonymousAllowed) {
        this.jwt = jwt;
        this.anonymousAllowed = anonymousAllowed;
    }

    @Override
    public Principal authenticate(String token, Handshake handshake) throws AuthenticationException {
        if (token == null || token.isEmpty()) {
            if (anonymousAllowed) {
                return Principal.anonymous();
            }
            throw new AuthenticationException("a Bearer token is required");
        }
        Map<String, Object> claims = jwt.verify(token);
        if (!(claims.get("sub") instanceof String user) || user.isEmpty()) {
            throw new AuthenticationException("JWT has no sub");
        }
        Set<String> permissions = new HashSet<>();
        if (claims.get("permissions") instanceof List<?> list) {
            list.forEach(p -> permissions.add(String.valueOf(p)));
        }
        return new Principal(user, permissions, Map.of());
    }
}
