package io.herald;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A room member as other members see it.
 *
 * @param connectionId the member's connection
 * @param user the member's user id, or {@code null} when anonymous
 * @param meta what the member chose to show when joining, or {@code null}
 */
public record Member(String connectionId, String user, JsonNode meta) {
}
