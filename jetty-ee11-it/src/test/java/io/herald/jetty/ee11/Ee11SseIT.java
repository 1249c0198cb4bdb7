package io.herald.jetty.ee11;

import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.SseBrowserContract;
import java.net.URI;

/** The SSE contract on Jetty 12.1's ee11 environment, the servlet mounted with {@link HeraldSse#servlet()}. */
class Ee11SseIT extends SseBrowserContract {
    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        Ee11Servers jetty = Ee11Servers.start(sse.servlet(), BASE + "/*", null);
        return RunningServer.of(URI.create("http://127.0.0.1:" + jetty.port() + BASE), jetty::stop);
    }
}
