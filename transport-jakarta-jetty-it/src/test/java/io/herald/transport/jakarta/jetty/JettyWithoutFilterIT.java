package io.herald.transport.jakarta.jetty;

import io.herald.Hub;
import io.herald.transport.jakarta.contract.WithoutFilterContract;

/** The Jakarta endpoint on embedded Jetty 12 (ee10) without Herald's handshake filter. */
class JettyWithoutFilterIT extends WithoutFilterContract {
    @Override
    protected RunningServer start(Hub hub) throws Exception {
        return JettyTransportIT.startJetty(hub, false);
    }
}
