package io.herald.transport.jakarta.tyrus;

import io.herald.Hub;
import io.herald.transport.jakarta.contract.WebSocketFlowContract;
import java.net.URI;

/** The WebSocket contract on a standalone Tyrus 2.2 (Grizzly) server, driven by the JDK client. */
class TyrusTransportIT extends WebSocketFlowContract {
    @Override
    protected RunningServer start(Hub hub) throws Exception {
        HeraldTyrusServer s = HeraldTyrusServer.start(hub, 0, PATH);
        URI uri = URI.create("ws://127.0.0.1:" + s.port() + PATH);
        return RunningServer.of(uri, s::close);
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return false;
    }

    @Override
    protected boolean dropsAnUnparseableQueryAfterUpgrading() {
        return true;
    }

    /** Grizzly drops a request whose target holds bytes that are not UTF-8, not escaped, without an answer. */
    @Override
    protected boolean dropsUnescapedBytesThatAreNotUtf8() {
        return true;
    }
}
