package io.herald.transport.jakarta.internal;

import io.herald.CloseReason;
import io.herald.spi.Admission;
import io.herald.spi.Handshake;
import io.herald.spi.QueryString;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the handshakes of every endpoint share: the refusals' HTTP answers, the refusal of a malformed query,
 * the {@code Cookie} header's parse. Uses no WebSocket API, so that {@code HeraldServletWebSocket}, which runs
 * where only the servlet API is, can load it; the Jakarta side is {@link UpgradeRequests}.
 */
final class Handshakes {
    /** The address used when the container does not reveal one. */
    static final String UNKNOWN = "unknown";

    private Handshakes() {
    }

    /**
     * The refusal of a handshake whose query string the container cannot parse. It is not left to the hub:
     * the parameters the container dropped or could not read may have been the token or {@code batch}, so
     * serving the client without them would be wrong.
     *
     * @param handshake what the client presented, without its query
     * @return 400, or 1008 {@code bad-request} after an upgrade
     */
    static Admission unparseableQuery(Handshake handshake) {
        return Admission.reject(400, CloseReason.POLICY_VIOLATION, "bad-request", QueryString.MALFORMED, 0,
                handshake);
    }

    /**
     * @param admission a refusal
     * @return the one-line text body an HTTP refusal carries
     */
    static byte[] refusalBody(Admission admission) {
        return (admission.reason() + ": " + admission.message() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param admission a refusal
     * @return the {@code Retry-After} seconds its HTTP answer carries (rounded up; at least one for 429 and
     *     503, which always say when to come back), or 0 for none
     */
    static long retryAfterSeconds(Admission admission) {
        int status = admission.httpStatus();
        if (admission.retryAfterMs() <= 0 && status != 429 && status != 503) {
            return 0;
        }
        return Math.max(1, (admission.retryAfterMs() + 999) / 1000);
    }

    /**
     * Reads the cookies of one {@code Cookie} header ({@code a=1; b="2"}); the first value of a name wins,
     * surrounding double quotes are removed, malformed pairs are skipped.
     *
     * @param header one header value
     * @param into where the cookies go, name to value
     */
    static void parseCookies(String header, Map<String, String> into) {
        if (header == null) {
            return;
        }
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                value = value.substring(1, value.length() - 1);
            }
            if (!name.isEmpty()) {
                into.putIfAbsent(name, value);
            }
        }
    }
}
