package io.herald.transport.jakarta.internal;

import io.herald.CloseReason;
import io.herald.spi.Admission;
import io.herald.spi.Handshake;
import io.herald.spi.QueryString;
import jakarta.websocket.server.HandshakeRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the core's {@link Handshake} from what a container shows of an upgrade request.
 *
 * <p>The Jakarta API has no remote address in {@link HandshakeRequest}. It is found, in this order: the
 * {@code jakarta.websocket.endpoint.remoteAddress} user property (Jetty sets it before the configurator
 * runs), then a public {@code String getRemoteAddr()} on the request's class (Tyrus's
 * {@code RequestContext}). Tomcat offers neither: there the handshake filter supplies the address; without
 * it the address is {@value #UNKNOWN} and a warning is logged once.
 */
final class Handshakes {
    /** The address used when the container does not reveal one. */
    static final String UNKNOWN = "unknown";
    /** The user property Jetty fills with the peer's {@link InetSocketAddress}. */
    static final String REMOTE_ADDRESS_PROPERTY = "jakarta.websocket.endpoint.remoteAddress";

    private static final Logger LOG = LoggerFactory.getLogger(Handshakes.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final ClassValue<MethodHandle> GET_REMOTE_ADDR = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                if (!Modifier.isPublic(type.getModifiers())) {
                    return null;
                }
                return MethodHandles.publicLookup().findVirtual(type, "getRemoteAddr", MethodType.methodType(String.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private Handshakes() {
    }

    /**
     * @param request the container's view of the upgrade request
     * @param userProperties the per-handshake user properties of the endpoint configuration
     * @return the handshake: address, headers, query parameters and the cookies of the {@code Cookie} headers
     */
    static Handshake fromUpgrade(HandshakeRequest request, Map<String, Object> userProperties) {
        Handshake.Builder b = Handshake.builder(remoteAddress(request, userProperties));
        Map<String, String> cookies = new LinkedHashMap<>();
        Map<String, List<String>> headers = request.getHeaders();
        if (headers != null) {
            headers.forEach((name, values) -> {
                if (name != null && values != null) {
                    b.header(name, values);
                    if (name.equalsIgnoreCase("Cookie")) {
                        values.forEach(v -> parseCookies(v, cookies));
                    }
                }
            });
        }
        cookies.forEach(b::cookie);
        Map<String, List<String>> query = request.getParameterMap();
        if (query != null) {
            query.forEach((name, values) -> {
                if (name != null && values != null) {
                    b.query(name, values);
                }
            });
        }
        return b.build();
    }

    static String remoteAddress(HandshakeRequest request, Map<String, Object> userProperties) {
        Object property = userProperties.get(REMOTE_ADDRESS_PROPERTY);
        if (property instanceof InetSocketAddress a) {
            return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        }
        MethodHandle getter = GET_REMOTE_ADDR.get(request.getClass());
        if (getter != null) {
            try {
                String address = (String) getter.invoke(request);
                if (address != null && !address.isEmpty()) {
                    return address;
                }
            } catch (Throwable e) {
                LOG.debug("getRemoteAddr failed on {}", request.getClass().getName(), e);
            }
        }
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("The WebSocket container ({}) does not reveal client addresses to the handshake; per-address"
                    + " limits count every client as '{}'. Install HeraldWebSocket.handshakeFilter(hub) in front of"
                    + " the endpoint.", request.getClass().getName(), UNKNOWN);
        }
        return UNKNOWN;
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
