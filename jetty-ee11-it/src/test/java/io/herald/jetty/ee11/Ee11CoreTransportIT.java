package io.herald.jetty.ee11;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldJettyHandler;
import io.herald.transport.jakarta.contract.JdkClient;
import io.herald.transport.jakarta.contract.OwnFramingContract;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket contract on Jetty 12.1 with the endpoint served by {@link HeraldJettyHandler} in front of an
 * ee11 servlet context, over plain and TLS connectors; the context's own servlet keeps serving its paths.
 */
class Ee11CoreTransportIT extends OwnFramingContract {
    private Ee11Servers jetty;

    @Override
    protected RunningServer start(Hub hub) throws Exception {
        jetty = Ee11Servers.start(new Hello(), "/hello", tls, context -> HeraldJettyHandler.wrap(hub, PATH, context));
        return RunningServer.of(URI.create("ws://127.0.0.1:" + jetty.port() + PATH), jetty::stop);
    }

    @Override
    protected int tlsPort() {
        return jetty.tlsPort();
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return true;
    }

    @Override
    protected long openSockets() {
        return jetty.openConnections();
    }

    @Test
    void theApplicationsOwnServletStillAnswersBehindTheHandler() throws Exception {
        serve(b -> b);
        HttpResponse<String> hello = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + jetty.port() + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello");
        HttpResponse<String> plainGet = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + jetty.port() + PATH)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plainGet.statusCode()).as("a GET of the endpoint that is no handshake goes on, to 404")
                .isEqualTo(404);
    }

    @Test
    void theEndpointStillServesAfterTheServerIsStoppedAndStartedAgain() throws Exception {
        serve(b -> b);
        jetty.restart();
        JdkClient c = track(JdkClient.connect(URI.create("ws://127.0.0.1:" + jetty.port() + PATH)));
        assertThat(c.next("connected")).isNotNull();
    }

    /** The application's own servlet. */
    private static final class Hello extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().write("hello");
        }
    }
}
