package io.herald.transport.jakarta.contract;

import io.herald.Principal;
import io.herald.spi.AuthenticationException;
import io.herald.spi.Authenticator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A tiny signed-token scheme for tests: {@code user.expiresAtMillis.signature}, the signature an
 * HMAC-SHA256 of the first two parts, base64url. Stands in for a real JWT verifier.
 */
public final class TestTokens {
    private static final byte[] KEY = "herald-test-key".getBytes(StandardCharsets.UTF_8);

    private TestTokens() {
    }

    /**
     * @param user the user id (no dots)
     * @param expiresAtMillis epoch milliseconds after which the token is refused
     * @return the token
     */
    public static String sign(String user, long expiresAtMillis) {
        String body = user + "." + expiresAtMillis;
        return body + "." + mac(body);
    }

    /** @return a token for {@code user} valid for a minute */
    public static String valid(String user) {
        return sign(user, System.currentTimeMillis() + 60_000);
    }

    /** @return an authenticator that accepts only tokens from {@link #sign} that have not expired */
    public static Authenticator authenticator() {
        return (token, handshake) -> {
            if (token == null) {
                throw new AuthenticationException("a token is required");
            }
            String[] parts = token.split("\\.");
            if (parts.length != 3 || !MessageDigest.isEqual(mac(parts[0] + "." + parts[1]).getBytes(StandardCharsets.UTF_8),
                    parts[2].getBytes(StandardCharsets.UTF_8))) {
                throw new AuthenticationException("the token's signature is wrong");
            }
            if (Long.parseLong(parts[1]) < System.currentTimeMillis()) {
                throw new AuthenticationException("the token expired");
            }
            return Principal.of(parts[0]);
        };
    }

    private static String mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
