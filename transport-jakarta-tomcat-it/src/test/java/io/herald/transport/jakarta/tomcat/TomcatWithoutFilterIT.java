package io.herald.transport.jakarta.tomcat;

import io.herald.Hub;
import io.herald.transport.jakarta.contract.WithoutFilterContract;

/** The Jakarta endpoint on embedded Tomcat 11 without Herald's handshake filter. */
class TomcatWithoutFilterIT extends WithoutFilterContract {
    @Override
    protected RunningServer start(Hub hub) throws Exception {
        return TomcatTransportIT.startTomcat(hub, false);
    }

    /** Tomcat refuses a request target holding bytes outside ASCII, not escaped, with its own 400. */
    @Override
    protected boolean refusesUnescapedNonAsciiItself() {
        return true;
    }
}
