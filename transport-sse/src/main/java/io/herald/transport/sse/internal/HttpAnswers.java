package io.herald.transport.sse.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.spi.Admission;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Writes the small JSON answers of the endpoints (errors, publish and control results) and maps the hub's
 * error codes to HTTP statuses. Stateless and thread-safe.
 */
final class HttpAnswers {
    static final ObjectMapper JSON = new ObjectMapper();

    private HttpAnswers() {
    }

    /**
     * @param code an error code from the hub
     * @param retryAfterMs the error's retry delay: an {@code INTERNAL} error that has one is the hub refusing
     *     while it shuts down, a temporary refusal like a stream's then (503)
     * @return its HTTP status: 404, 403, 401, 429, 413, 503, 500 or 400
     */
    static int status(ErrorCode code, long retryAfterMs) {
        return switch (code) {
            case INTERNAL -> retryAfterMs > 0 ? HttpServletResponse.SC_SERVICE_UNAVAILABLE
                    : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
            case NOT_FOUND -> HttpServletResponse.SC_NOT_FOUND;
            case FORBIDDEN -> HttpServletResponse.SC_FORBIDDEN;
            case UNAUTHORIZED -> HttpServletResponse.SC_UNAUTHORIZED;
            case RATE_LIMITED, LIMIT_EXCEEDED -> 429;
            case TOO_LARGE -> HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE;
            case HANDLER_ERROR -> HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
            default -> HttpServletResponse.SC_BAD_REQUEST;
        };
    }

    /** @return whole seconds for a {@code Retry-After} header, rounded up, at least 1 */
    static long retryAfterSeconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }

    /**
     * Answers an error: the status, {@code Retry-After} when a delay is given, and
     * {@code {"code":…,"message":…}} (plus {@code retryAfterMs}).
     */
    static void error(HttpServletResponse response, int status, String code, String message, long retryAfterMs)
            throws IOException {
        ObjectNode body = JSON.createObjectNode().put("code", code).put("message", message);
        if (retryAfterMs > 0) {
            response.setHeader("Retry-After", Long.toString(retryAfterSeconds(retryAfterMs)));
            body.put("retryAfterMs", retryAfterMs);
        }
        json(response, status, body);
    }

    /** Answers an error code from the hub with its status. */
    static void error(HttpServletResponse response, ErrorCode code, String message, long retryAfterMs)
            throws IOException {
        error(response, status(code, retryAfterMs), code.name(), message, retryAfterMs);
    }

    /**
     * Answers a refused admission with its status ({@code WWW-Authenticate: Bearer} with 401) and the error
     * code of {@link #code(Admission)}.
     */
    static void refuse(HttpServletResponse response, Admission admission) throws IOException {
        if (admission.httpStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        String code = code(admission).name();
        long retry = admission.retryAfterMs();
        if (retry <= 0 && (admission.httpStatus() == 429 || admission.httpStatus() == 503)) {
            retry = 1000;
        }
        error(response, admission.httpStatus(), code, admission.reason() + ": " + admission.message(), retry);
    }

    /**
     * @param admission a refused admission
     * @return its error code: a 503 is {@link ErrorCode#LIMIT_EXCEEDED} (a limit was reached) unless its
     *     reason is {@code shutdown}, which is {@link ErrorCode#INTERNAL} as the {@code 1001 shutdown} close
     *     of a stream is: nothing the client did
     */
    static ErrorCode code(Admission admission) {
        return switch (admission.httpStatus()) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> CloseReason.SHUTDOWN.reason().equals(admission.reason())
                    ? ErrorCode.INTERNAL : ErrorCode.LIMIT_EXCEEDED;
            default -> ErrorCode.INTERNAL;
        };
    }

    /** Writes a JSON body with a status, blocking (the bodies are small). */
    static void json(HttpServletResponse response, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
