package io.herald.transport.jakarta.internal;

import io.herald.Hub;
import io.herald.spi.Admission;
import io.herald.spi.Handshake;
import io.herald.spi.QueryString;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;

/**
 * Judges each handshake with the hub and creates one {@link HeraldEndpoint} per connection.
 *
 * <p>{@link #modifyHandshake} runs on the container thread handling the upgrade request. It takes the
 * handshake filter's verdict when the filter ran on this thread, and otherwise asks
 * {@code hub.gateway().admit} itself; either way the verdict goes into the per-handshake user properties,
 * where {@link HeraldEndpoint#onOpen} finds it. A refusal cannot be answered with an HTTP status from here
 * in a portable way (only a forbidden Origin can, through {@link #checkOrigin}), so the upgrade proceeds and
 * the endpoint closes the connection at once.
 */
public final class HeraldConfigurator extends ServerEndpointConfig.Configurator {
    /** The user property that carries the {@link Admission} from the handshake to {@code onOpen}. */
    static final String ADMISSION = "io.herald.admission";

    private final Hub hub;
    private final ControlThreads control;
    private final boolean originBeforeUpgrade;

    /**
     * @param hub the hub that judges handshakes and serves the connections of this endpoint
     * @param originBeforeUpgrade whether {@link #checkOrigin} refuses a forbidden Origin (else it admits every
     *     Origin, and the hub's verdict refuses it after the upgrade)
     */
    public HeraldConfigurator(Hub hub, boolean originBeforeUpgrade) {
        this.hub = hub;
        this.control = new ControlThreads(hub.node());
        this.originBeforeUpgrade = originBeforeUpgrade;
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        Admission admission = Handoff.take(hub);
        if (admission == null) {
            admission = admit(request, sec.getUserProperties());
        }
        sec.getUserProperties().put(ADMISSION, admission);
    }

    /**
     * Judges a handshake: the hub decides, unless its query is malformed, which a container may have decoded
     * leniently ({@link QueryString}), or the container cannot give its parameters; that is refused with
     * 1008 {@code bad-request} after the upgrade. Tomcat 10.1 without the handshake filter drops parameters
     * beyond its limit unseen: only the filter, which sees its mark on the request, can refuse that.
     */
    private Admission admit(HandshakeRequest request, Map<String, Object> userProperties) {
        Handshake handshake = null;
        if (QueryString.wellFormed(request.getQueryString())) {
            try {
                handshake = UpgradeRequests.fromUpgrade(request, userProperties);
            } catch (RuntimeException e) {
                // the container could not give the parameters
            }
        }
        if (handshake == null) {
            return Handshakes.unparseableQuery(Handshake.builder(UpgradeRequests.remoteAddress(request, userProperties))
                    .build());
        }
        return hub.gateway().admit(handshake);
    }

    /**
     * Refuses an {@code Origin} the hub's allow-list does not hold. Jetty and Tomcat ask this before the
     * upgrade and answer {@code false} with 403, so a forbidden Origin gets its status even without the
     * handshake filter, where other refusals are an upgrade and a close. Grizzly's 403 leaves the client
     * waiting, so on a standalone Tyrus server this admits every Origin ({@code originBeforeUpgrade} false).
     */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return !originBeforeUpgrade || hub.gateway().allowsOrigin(originHeaderValue);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (!endpointClass.isAssignableFrom(HeraldEndpoint.class)) {
            throw new InstantiationException("Herald's configurator creates only " + HeraldEndpoint.class.getName()
                    + ", not " + endpointClass.getName());
        }
        return endpointClass.cast(new HeraldEndpoint(hub, control));
    }
}
