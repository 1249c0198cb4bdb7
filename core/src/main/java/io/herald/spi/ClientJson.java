package io.herald.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.internal.JsonCodec;
import java.io.IOException;

/**
 * Reads JSON that a client sent to a transport's own endpoints (an SSE control or publish body, a filter
 * in a query parameter) exactly as the protocol codec reads a request: the same nesting, string and
 * number limits, duplicate keys refused, and decimals kept as written ({@code 1.50} stays {@code 1.50}),
 * so a value means the same whichever transport carried it. Thread-safe.
 */
public final class ClientJson {
    private ClientJson() {
    }

    /**
     * @param json the text
     * @return its tree ({@code MissingNode} when empty)
     * @throws JsonProcessingException when it is not JSON or breaks a limit
     */
    public static JsonNode read(String json) throws JsonProcessingException {
        return JsonCodec.readClientJson(json);
    }

    /**
     * @param json the bytes, UTF-8
     * @return its tree ({@code MissingNode} when empty)
     * @throws IOException when it is not JSON or breaks a limit
     */
    public static JsonNode read(byte[] json) throws IOException {
        return JsonCodec.readClientJson(json);
    }
}
