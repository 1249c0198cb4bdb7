package io.herald.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.spi.AuthenticationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies compact JWTs with HS256 (HMAC-SHA256) using only the JDK. Verification checks the
 * header's {@code alg}, the signature (in constant time) and, when present, {@code exp} (seconds since the
 * epoch). Thread-safe.
 */
final class Hs256Jwt {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final String HEADER = ENCODER.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final SecretKeySpec key;
    private final Clock clock;

    Hs256Jwt(String secret, Clock clock) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    /**
     * @param claims the payload
     * @return the token
     */
    String sign(Map<String, Object> claims) {
        try {
            String body = HEADER + "." + ENCODER.encodeToString(JSON.writeValueAsBytes(claims));
            return body + "." + ENCODER.encodeToString(mac(body));
        } catch (IOException e) {
            throw new IllegalArgumentException("claims cannot be written as JSON", e);
        }
    }

    /**
     * @param token a compact JWT
     * @return its claims
     * @throws AuthenticationException if it is malformed, not HS256, wrongly signed or expired
     */
    Map<String, Object> verify(String token) throws AuthenticationException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new AuthenticationException("not a JWT");
        }
        try {
            Map<String, Object> header = JSON.readValue(DECODER.decode(parts[0]), new TypeReference<>() { });
            if (!"HS256".equals(header.get("alg"))) {
                throw new AuthenticationException("JWT algorithm must be HS256");
            }
            byte[] expected = mac(parts[0] + "." + parts[1]);
            if (!MessageDigest.isEqual(expected, DECODER.decode(parts[2]))) {
                throw new AuthenticationException("JWT signature does not verify");
            }
            Map<String, Object> claims = JSON.readValue(DECODER.decode(parts[1]), new TypeReference<>() { });
            Object exp = claims.get("exp");
            if (exp instanceof Number n && n.longValue() <= clock.instant().getEpochSecond()) {
                throw new AuthenticationException("JWT expired");
            }
            return claims;
        } catch (IOException | IllegalArgumentException e) {
            throw new AuthenticationException("malformed JWT");
        }
    }

    private byte[] mac(String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
