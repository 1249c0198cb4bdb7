package io.herald.transport.jakarta.internal;

import io.herald.Hub;
import io.herald.spi.Admission;

/**
 * Carries the handshake filter's verdict to the configurator. Jetty and Tomcat run the filter chain, the
 * upgrade and {@code Configurator.modifyHandshake} on one thread, synchronously, so a thread-local set
 * around {@code chain.doFilter} reaches the configurator without crossing requests; the filter clears it
 * in {@code finally}. Free of servlet types, so the configurator loads without the servlet API.
 */
final class Handoff {
    private static final ThreadLocal<Handoff> CURRENT = new ThreadLocal<>();

    private final Hub hub;
    private final Admission admission;

    private Handoff(Hub hub, Admission admission) {
        this.hub = hub;
        this.admission = admission;
    }

    /**
     * @param hub the hub that judged the handshake
     * @param admission its accepted verdict
     */
    static void set(Hub hub, Admission admission) {
        CURRENT.set(new Handoff(hub, admission));
    }

    static void clear() {
        CURRENT.remove();
    }

    /**
     * Takes the verdict the filter left for this hub on this thread, so that it is used once.
     *
     * @param hub the configurator's hub
     * @return the verdict, or {@code null} when no filter of this hub judged the request
     */
    static Admission take(Hub hub) {
        Handoff h = CURRENT.get();
        if (h == null || h.hub != hub) {
            return null;
        }
        CURRENT.remove();
        return h.admission;
    }
}
