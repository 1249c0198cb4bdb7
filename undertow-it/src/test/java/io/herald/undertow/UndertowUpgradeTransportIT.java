package io.herald.undertow;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import io.herald.transport.jakarta.contract.OwnFramingContract;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket contract on embedded Undertow 2.3 with Herald's own WebSocket on the servlet upgrade
 * ({@link HeraldServletWebSocket}), over plain and TLS listeners.
 */
class UndertowUpgradeTransportIT extends OwnFramingContract {
    private UndertowServers undertow;

    @Override
    protected RunningServer start(Hub hub) throws Exception {
        undertow = UndertowServers.start(HeraldServletWebSocket.servlet(hub), PATH, serverTls());
        return RunningServer.of(URI.create("ws://127.0.0.1:" + undertow.port() + PATH), undertow::stop);
    }

    private static SSLContext serverTls() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keyStore())) {
            keys.load(in, tls.password().toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, tls.password().toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    @Override
    protected int tlsPort() {
        return undertow.tlsPort();
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return true;
    }

    @Override
    protected long openSockets() {
        return undertow.openConnections();
    }

    @Test
    void noJakartaWebSocketApiIsOnTheClassPathSoTheContractProvesTheServletNeedsNone() {
        assertThatThrownBy(() -> Class.forName("jakarta.websocket.Session"))
                .isInstanceOf(ClassNotFoundException.class);
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
