package io.herald.transport.jakarta.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Hub;
import io.herald.spi.Authorizer;
import io.herald.transport.jakarta.HeraldServletWebSocket;
import io.herald.transport.jakarta.contract.JdkClient;
import io.herald.transport.jakarta.contract.OwnFramingContract;
import io.herald.transport.jakarta.contract.RawClient;
import io.herald.transport.jakarta.contract.TestTokens;
import io.herald.transport.sse.contract.BrowserClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket contract on embedded Tomcat 11 with Herald's own WebSocket on the servlet API's upgrade
 * ({@link HeraldServletWebSocket}), no Jakarta endpoint and no handshake filter: refusals are answered
 * with their HTTP status by the servlet itself. Driven by the JDK client and a raw socket client.
 */
class TomcatUpgradeTransportIT extends OwnFramingContract {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    /** The connector's limit on parameters, low enough for a test to pass it. */
    private static final int MAX_PARAMETERS = 16;

    private Connector connector;
    private Connector tlsConnector;

    @Override
    protected RunningServer start(Hub hub) throws Exception {
        return TomcatTransportIT.startTomcat(hub, false, context -> HeraldServletWebSocket.register(context, hub, PATH),
                tomcat -> {
                    connector = tomcat.getConnector();
                    connector.setMaxParameterCount(MAX_PARAMETERS);
                    // the same endpoint over TLS, where Herald's frames go through Tomcat's TLS channel
                    tlsConnector = new Connector();
                    tlsConnector.setPort(0);
                    tlsConnector.setProperty("address", "127.0.0.1");
                    tlsConnector.setSecure(true);
                    tlsConnector.setScheme("https");
                    tlsConnector.setProperty("SSLEnabled", "true");
                    SSLHostConfig host = new SSLHostConfig();
                    SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host,
                            SSLHostConfigCertificate.Type.UNDEFINED);
                    certificate.setCertificateKeystoreFile(tls.keyStore().toString());
                    certificate.setCertificateKeystorePassword(tls.password());
                    certificate.setCertificateKeystoreType("PKCS12");
                    host.addCertificate(certificate);
                    tlsConnector.addSslHostConfig(host);
                    tomcat.getService().addConnector(tlsConnector);
                });
    }

    @Override
    protected int tlsPort() {
        return tlsConnector.getLocalPort();
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return true;
    }

    @Override
    protected long openSockets() {
        return ((AbstractProtocol<?>) connector.getProtocolHandler()).getConnectionCount();
    }

    @Test
    void aHandshakeIsAcceptedWithTheKeysDigest() throws Exception {
        serve(b -> b);
        List<String> answer = request("GET", "Upgrade: websocket", "Connection: keep-alive, Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY);
        assertThat(answer.get(0)).startsWith("HTTP/1.1 101");
        // the example of RFC 6455, section 1.3
        assertThat(answer).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase(
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    @Test
    void aRequestThatIsNoHandshakeIsAnsweredWithWhatAHandshakeNeeds() throws Exception {
        serve(b -> b);
        List<String> plain = request("GET");
        assertThat(plain.get(0)).startsWith("HTTP/1.1 426");
        assertThat(plain).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("Upgrade: websocket"));
        assertThat(plain).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("Sec-WebSocket-Version: 13"));

        List<String> post = request("POST", "Upgrade: websocket", "Connection: Upgrade", "Content-Length: 0");
        assertThat(post.get(0)).startsWith("HTTP/1.1 405");
        assertThat(post).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("Allow: GET"));

        List<String> oldVersion = request("GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: " + KEY);
        assertThat(oldVersion.get(0)).startsWith("HTTP/1.1 426");
        assertThat(oldVersion).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("Sec-WebSocket-Version: 13"));

        List<String> badKey = request("GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: c2hvcnQ=");
        assertThat(badKey.get(0)).startsWith("HTTP/1.1 400");
        assertThat(badKey.get(badKey.size() - 1)).contains("Sec-WebSocket-Key");
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void aHandshakeThatRfc6455DoesNotAllowIsRefusedWith400() throws Exception {
        serve(b -> b);
        List<String> http10 = requestIn("HTTP/1.0", "GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY);
        assertThat(http10.get(0)).contains(" 400");
        assertThat(http10.get(http10.size() - 1)).contains("needs HTTP/1.1");
        // the key of RFC 6455's example without its padding: still 16 bytes, but not a key
        List<String> unpadded = request("GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY.substring(0, 22));
        assertThat(unpadded.get(0)).startsWith("HTTP/1.1 400");
        List<String> twoKeys = request("GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Key: " + KEY);
        assertThat(twoKeys.get(0)).startsWith("HTTP/1.1 400");
        assertThat(twoKeys.get(twoKeys.size() - 1)).contains("one Sec-WebSocket-Key");
        assertThat(hub.admin().connectionCount()).isZero();
    }

    @Test
    void theSubprotocolIsChosenOnlyWhenOfferedInItsOwnCase() throws Exception {
        serve(b -> b);
        List<String> offered = request("GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Protocol: chat, herald.v1");
        assertThat(offered.get(0)).startsWith("HTTP/1.1 101");
        assertThat(offered).anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("Sec-WebSocket-Protocol: herald.v1"));
        // subprotocol names are case-sensitive (RFC 6455, section 4.1): this one is not offered
        List<String> otherCase = request("GET", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Protocol: HERALD.V1");
        assertThat(otherCase.get(0)).startsWith("HTTP/1.1 101");
        assertThat(otherCase).noneSatisfy(h -> assertThat(h.toLowerCase(java.util.Locale.ROOT))
                .startsWith("sec-websocket-protocol"));
    }

    @Test
    void aHandshakeWithMoreParametersThanTomcatTakesIsRefusedNotServedWithoutSome() throws Exception {
        serve(b -> b.authenticator(TestTokens.authenticator()));
        // the token first, so that a Tomcat dropping the parameters past its limit would let the client in
        StringBuilder query = new StringBuilder("token=" + TestTokens.valid("ann"));
        for (int i = 0; i < MAX_PARAMETERS; i++) {
            query.append("&p").append(i).append("=1");
        }
        RawClient c = track(RawClient.connect(server.uri(), PATH + "?" + query, Map.of(), 0));
        assertThat(c.status()).isEqualTo(400);
        assertThat(c.body()).startsWith("bad-request: ").contains("too many parameters");
        assertThat(hub.admin().connectionCount()).isZero();
    }

    /** @return the answer's status line, headers and (after an empty line) first body line */
    private List<String> request(String method, String... headers) throws IOException {
        return requestIn("HTTP/1.1", method, headers);
    }

    /** @return as {@link #request(String, String...)}, the request in this HTTP version */
    private List<String> requestIn(String version, String method, String... headers) throws IOException {
        try (Socket s = new Socket(server.uri().getHost(), server.uri().getPort())) {
            s.setSoTimeout(5_000);
            StringBuilder r = new StringBuilder(method + " " + PATH + " " + version + "\r\nHost: 127.0.0.1\r\n");
            for (String h : headers) {
                r.append(h).append("\r\n");
            }
            r.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(r.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                lines.add(line);
            }
            if (!lines.get(0).contains(" 101 ")) {
                lines.add(in.readLine());
            }
            return lines;
        }
    }

    @Test
    void aBrowsersWebSocketGetsEveryEventAtEveryFrameLengthAndAnswersThePings() throws Exception {
        BrowserClient browser = track(BrowserClient.locate());
        serve(b -> b.heartbeat(Duration.ofMillis(200)).authorizer(Authorizer.OPEN));
        JdkClient reports = client();
        reports.send("{\"type\":\"subscribe\",\"ref\":\"r\",\"topics\":[\"report.browser\"]}");
        reports.next("subscribed");
        // the page subscribes to browser.* and publishes a report for what it gets, over its own WebSocket
        browser.openScript("herald ws", "const ws = new WebSocket('" + server.uri() + "', 'herald.v1');\n"
                + "function report(x) { ws.send(JSON.stringify({type: 'publish', topic: 'report.browser', data: x})); }\n"
                + "ws.onmessage = (m) => { const f = JSON.parse(m.data);\n"
                + "  if (f.type === 'connected') ws.send(JSON.stringify({type: 'subscribe', ref: 's', topics: ['browser.*']}));\n"
                + "  else if (f.type === 'subscribed') report({step: 'subscribed', protocol: ws.protocol});\n"
                + "  else if (f.type === 'event' && f.topic.startsWith('browser.'))"
                + " report({step: 'event', id: f.id, pad: f.data.pad.length}); };\n"
                + "ws.onclose = (e) => console.log('herald-closed ' + e.code + ' ' + e.reason);");
        JsonNode subscribed = reports.next("event").path("data");
        assertThat(subscribed.path("step").asText()).isEqualTo("subscribed");
        assertThat(subscribed.path("protocol").asText()).isEqualTo("herald.v1");

        // payload lengths in the one-, two- and eight-byte forms
        for (int size : new int[] {10, 2_000, 70_000}) {
            String id = hub.publish("browser.sized", Map.of("pad", "p".repeat(size)));
            JsonNode event = reports.next("event").path("data");
            assertThat(event.path("id").asText()).isEqualTo(id);
            assertThat(event.path("pad").asInt()).isEqualTo(size);
        }
        // five heartbeats: a client that answered no ping would be closed as idle after three
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> hub.admin().connectionCount() == 2);
        String late = hub.publish("browser.late", Map.of("pad", "x"));
        assertThat(reports.next("event").path("data").path("id").asText()).isEqualTo(late);
    }

    /** Tomcat refuses a request target holding bytes outside ASCII, not escaped, with its own 400. */
    @Override
    protected boolean refusesUnescapedNonAsciiItself() {
        return true;
    }
}
