package io.herald.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.internal.JsonCodec;
import java.io.IOException;

/**
 * Reads JSON that a client sent to a transport's own endpoints (an SSE control or publish body, a filter
 * in a query parameter) exactly as the protocol codec reads a request: the same nesting, string and
 * number limits, duplicate keys and content after the value refused, and decimals kept as written
 * ({@code 1.50} stays {@code 1.50}), so a value means the same whichever transport carried it.
 * {@link #problem} puts a refusal in words fit for the client. Thread-safe.
 */
public final class ClientJson {
    private ClientJson() {
    }

    /**
     * @param json the text
     * @return its tree ({@code MissingNode} when empty or only whitespace)
     * @throws JsonProcessingException when it is not one JSON value, has content after it, or breaks a limit
     */
    public static JsonNode read(String json) throws JsonProcessingException {
        return JsonCodec.readClientJson(json);
    }

    /**
     * @param json the bytes, UTF-8
     * @return its tree ({@code MissingNode} when empty or only whitespace)
     * @throws IOException when it is not one JSON value, has content after it, or breaks a limit
     */
    public static JsonNode read(byte[] json) throws IOException {
        return JsonCodec.readClientJson(json);
    }

    /**
     * Says why {@link #read} refused JSON, worded as the protocol codec words it in a {@code BAD_REQUEST}:
     * the limit broken ({@code nesting deeper than 32}), or the syntax error with its line and column
     * ({@code content after the JSON value (line 1, column 12)}), never the parser's source descriptions or
     * settings.
     *
     * @param e what {@link #read} threw
     * @return the problem, to follow a phrase such as {@code "filter is not valid JSON: "}
     */
    public static String problem(JsonProcessingException e) {
        return JsonCodec.describeClientJsonProblem(e);
    }
}
