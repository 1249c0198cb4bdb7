package io.herald.examples;

import io.herald.Principal;
import io.herald.spi.AuthenticationException;
import io.herald.spi.Authenticator;
import io.herald.spi.Handshake;
import java.util.regex.Pattern;

/**
 * The demo's deliberately simple authentication: no token means an anonymous client; the token
 * {@code user:<name>} (name of 1..32 letters, digits, {@code _} or {@code -}) logs in as that user, with
 * no password. Anything else is refused (HTTP 401). Never use this outside a demo.
 */
final class DemoAuthenticator implements Authenticator {
    static final String PREFIX = "user:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    @Override
    public Principal authenticate(String token, Handshake handshake) throws AuthenticationException {
        if (token == null || token.isEmpty()) {
            return Principal.anonymous();
        }
        if (token.startsWith(PREFIX) && NAME.matcher(token.substring(PREFIX.length())).matches()) {
            return Principal.of(token.substring(PREFIX.length()));
        }
        throw new AuthenticationException("the demo accepts no token or user:<name>");
    }
}
