package io.herald.undertow;

import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.SseBrowserContract;
import java.net.URI;

/** The SSE contract on embedded Undertow 2.3, the servlet mounted with {@link HeraldSse#servlet()}. */
class UndertowSseIT extends SseBrowserContract {
    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        UndertowServers undertow = UndertowServers.start(sse.servlet(), BASE + "/*", null);
        return RunningServer.of(URI.create("http://127.0.0.1:" + undertow.port() + BASE), undertow::stop);
    }

    /** Undertow decodes the request target before any servlet runs and answers a broken escape with 400. */
    @Override
    protected boolean refusesABrokenEscapeItself() {
        return true;
    }

    /** Undertow refuses a request target holding bytes outside ASCII, not escaped, with its own empty 400. */
    @Override
    protected boolean refusesUnescapedNonAsciiItself() {
        return true;
    }
}
