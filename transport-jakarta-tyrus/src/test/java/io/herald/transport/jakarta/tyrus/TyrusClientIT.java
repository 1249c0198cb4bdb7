package io.herald.transport.jakarta.tyrus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.Hub;
import io.herald.transport.jakarta.contract.TestTokens;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tyrus's own client against the standalone Tyrus server: served, kept alive by its pongs, refused with 1008. */
class TyrusClientIT {
    private static final long TIMEOUT_MS = 10_000;
    private Hub hub;
    private HeraldTyrusServer server;
    private ClientManager client;

    private URI start(Hub h) throws Exception {
        hub = h;
        server = HeraldTyrusServer.start(hub, 0, "/ws");
        client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, 5_000);
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.shutdown();
        }
        if (hub != null) {
            hub.close(Duration.ZERO);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTyrusClientIsServedAndItsPongsKeepItConnected() throws Exception {
        URI uri = start(Hub.builder().heartbeat(Duration.ofMillis(300)).build());
        Recorder r = new Recorder();
        Session session = client.connectToServer(r,
                ClientEndpointConfig.Builder.create().preferredSubprotocols(List.of("herald.v1")).build(), uri);
        assertThat(session.getNegotiatedSubprotocol()).isEqualTo("herald.v1");
        assertThat(r.next()).contains("\"type\":\"connected\"");
        session.getBasicRemote().sendText("{\"type\":\"subscribe\",\"ref\":\"s\",\"topics\":[\"news.*\"]}");
        assertThat(r.next()).contains("\"subscribed\"");
        await().during(Duration.ofMillis(1_200)).atMost(Duration.ofSeconds(3)).until(() -> !r.closed.isDone());
        hub.publish("news.today", Map.of("n", 1));
        assertThat(r.next()).contains("\"news.today\"");
        session.close();
    }

    @Test
    void aTyrusClientWithoutATokenIsClosedWith1008BeforeAnyFrame() throws Exception {
        URI uri = start(Hub.builder().authenticator(TestTokens.authenticator()).build());
        Recorder r = new Recorder();
        client.connectToServer(r, ClientEndpointConfig.Builder.create().build(), uri);
        CloseReason reason = r.closed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(reason.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(reason.getReasonPhrase()).isEqualTo("unauthorized");
        assertThat(r.messages).isEmpty();
    }

    /** Records text messages and the close. */
    static final class Recorder extends Endpoint {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, messages::add);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.complete(reason);
        }

        String next() throws InterruptedException {
            String m = messages.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(m).as("a message within %d ms", TIMEOUT_MS).isNotNull();
            return m;
        }
    }
}
