package io.herald.transport.sse.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.CloseReason;
import io.herald.testing.SelfSignedTls;
import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.RawStream;
import io.herald.transport.sse.contract.SseBrowserContract;
import io.herald.transport.sse.contract.SseClient;
import io.herald.transport.sse.contract.StalledReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.SocketFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSE contract on embedded Jetty 12 (ee10), with the servlet from {@link HeraldSse#servlet()} mounted
 * the way a framework that owns routing would, driven by the JDK client and Node's {@code eventsource}.
 * On Jetty the streams' bodies bypass the servlet output once committed, so the contract covers that path.
 */
class JettySseIT extends SseBrowserContract {
    /** The TLS connector's certificate, made once. */
    private static SelfSignedTls tls;

    private ServerConnector connector;
    private ServerConnector tlsConnector;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        tls = SelfSignedTls.create(dir);
    }

    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        Server server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        // the same servlet over TLS, where the direct chunks go through Jetty's TLS endpoint
        SslContextFactory.Server keys = new SslContextFactory.Server();
        keys.setKeyStorePath(tls.keyStore().toString());
        keys.setKeyStorePassword(tls.password());
        keys.setKeyStoreType("PKCS12");
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer(false));
        tlsConnector = new ServerConnector(server, new SslConnectionFactory(keys, "http/1.1"),
                new HttpConnectionFactory(https));
        tlsConnector.setHost("127.0.0.1");
        tlsConnector.setPort(0);
        server.addConnector(tlsConnector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("herald-sse", sse.servlet());
        holder.setAsyncSupported(true);
        context.addServlet(holder, BASE + "/*");
        server.setHandler(context);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + BASE);
        return RunningServer.of(base, server::stop);
    }

    @Test
    void aStreamOverTlsIsExactlyFramedAndItsConnectionServesAnotherRequestAfterItEnds() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(100)));
        URI tlsServer = URI.create("https://127.0.0.1:" + tlsConnector.getLocalPort() + BASE);
        assertExactFramingAndReuse(track(RawStream.connect(tlsServer, tls.clientContext().getSocketFactory())));
    }

    @Test
    void withDirectWritesOffAStreamIsLeftToJettysServletOutput() throws Exception {
        serve(b -> b, sse -> sse.directWrites(false), ALLOWED_ORIGIN);
        RawStream raw = track(RawStream.connect(server.base(), SocketFactory.getDefault()));
        // the direct path asks Jetty to chunk; left to itself, Jetty ends a Connection: close body by closing
        RawStream.Head head = raw.get(stream("topics=t"), "Connection: close");
        assertThat(head.chunked()).isFalse();
        SseClient.Event connected = raw.next();
        String id = hub.publish("t", Map.of("n", 1));
        assertThat(raw.next().id()).isEqualTo(id);
        assertThat(hub.disconnect(connected.json().path("connectionId").asText(), CloseReason.DISCONNECTED)).isTrue();
        assertThat(raw.next().event()).isEqualTo("error");
        assertThat(raw.next()).isNull();
    }

    @Test
    void aStreamWhoseWriteStillWaitsForItsClientWhenTheDrainTimeoutEndsLosesItsConnection() throws Exception {
        serveWithSmallQueues(Duration.ofMillis(300));
        StalledReader slow = track(StalledReader.open(stream("topics=big")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 1);
        String slowId = hub.admin().connections().get(0).connectionId();
        publishBigUntilClosed(slowId, n -> { });
        assertThat(closes.get(slowId)).isEqualTo(CloseReason.SLOW_CONSUMER);
        // the client still reads nothing: its connection must go without its help
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.getConnectedEndPoints().isEmpty());
        assertThat(slow.readToEnd(Duration.ofSeconds(5)).end()).isIn("eof", "reset");
    }

    @Test
    void aMappingWithoutAsyncSupportAnswersEveryRequestWithAJson500NamingTheProblem() throws Exception {
        serve(b -> b);
        Server plain = new Server();
        ServerConnector plainConnector = new ServerConnector(plain);
        plainConnector.setHost("127.0.0.1");
        plainConnector.setPort(0);
        plain.addConnector(plainConnector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("herald-sse", HeraldSse.builder(hub).build().servlet());
        holder.setAsyncSupported(false);
        context.addServlet(holder, "/events/*");
        plain.setHandler(context);
        plain.start();
        try {
            String base = "http://127.0.0.1:" + plainConnector.getLocalPort() + "/events";
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> stream = http.send(HttpRequest.newBuilder(URI.create(base + "?topics=a")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> publish = http.send(HttpRequest.newBuilder(URI.create(base + "/publish"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"a\",\"data\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (HttpResponse<String> answer : java.util.List.of(stream, publish)) {
                assertThat(answer.statusCode()).isEqualTo(500);
                assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                        t -> assertThat(t).startsWith("application/json"));
                assertThat(answer.body()).contains("\"code\":\"INTERNAL\"", "not async-enabled");
            }
        } finally {
            plain.stop();
        }
    }
}
