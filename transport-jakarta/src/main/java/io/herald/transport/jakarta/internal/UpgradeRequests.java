package io.herald.transport.jakarta.internal;

import io.herald.spi.Handshake;
import jakarta.websocket.server.HandshakeRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the core's {@link Handshake} from what a Jakarta WebSocket container shows of an upgrade request.
 * Only the Jakarta endpoint's configurator uses it: the other endpoints must load without the Jakarta
 * WebSocket API, so what they share lives in {@link Handshakes}.
 *
 * <p>The Jakarta API has no remote address in {@link HandshakeRequest}. It is found, in this order: the
 * {@code jakarta.websocket.endpoint.remoteAddress} user property (Jetty sets it before the configurator
 * runs), then a public {@code String getRemoteAddr()} on the request's class (Tyrus's
 * {@code RequestContext}). Tomcat offers neither: there the handshake filter supplies the address; without
 * it the address is {@value Handshakes#UNKNOWN} and a warning is logged once.
 */
final class UpgradeRequests {
    /** The user property Jetty fills with the peer's {@link InetSocketAddress}. */
    static final String REMOTE_ADDRESS_PROPERTY = "jakarta.websocket.endpoint.remoteAddress";

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeRequests.class);
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

    private UpgradeRequests() {
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
                        values.forEach(v -> Handshakes.parseCookies(v, cookies));
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
                    + " the endpoint.", request.getClass().getName(), Handshakes.UNKNOWN);
        }
        return Handshakes.UNKNOWN;
    }
}
