package io.herald;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is on the other end of a connection, as the {@link io.herald.spi.Authenticator} established it.
 * Immutable.
 *
 * @param user the user id; {@code null} for an anonymous client
 * @param permissions what the principal may do, in the application's own vocabulary (for example
 *     {@code system:read}); read by the application's {@link io.herald.spi.Authorizer}
 * @param claims further attributes (token claims), unmodifiable
 */
public record Principal(String user, Set<String> permissions, Map<String, Object> claims) {
    private static final Principal ANONYMOUS = new Principal(null, Set.of(), Map.of());

    /** Copies the collections so the principal stays immutable. */
    public Principal {
        if (user != null && user.isEmpty()) {
            throw new IllegalArgumentException("user must be null (anonymous) or non-empty");
        }
        permissions = permissions == null ? Set.of() : Set.copyOf(permissions);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** @return the principal of a client that presented no credentials */
    public static Principal anonymous() {
        return ANONYMOUS;
    }

    /**
     * @param user a user id
     * @param permissions granted permissions
     * @return a principal with no further claims
     */
    public static Principal of(String user, String... permissions) {
        return new Principal(user, Set.of(permissions), Map.of());
    }

    /** @return whether no user is known */
    public boolean isAnonymous() {
        return user == null;
    }

    /** @return the user id, if any */
    public Optional<String> userId() {
        return Optional.ofNullable(user);
    }

    /**
     * @param permission a permission name
     * @return whether this principal holds it
     */
    public boolean has(String permission) {
        return permissions.contains(permission);
    }
}
