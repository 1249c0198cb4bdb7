package io.herald.transport.sse.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.SseBrowserContract;
import io.herald.transport.sse.contract.SseClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;

/**
 * The SSE contract on embedded Tomcat 11, with the servlet registered by
 * {@link HeraldSse#register(jakarta.servlet.ServletContext, String)} from a container initializer, driven
 * by the JDK client and Node's {@code eventsource}.
 */
class TomcatSseIT extends SseBrowserContract {
    /** The connector's limit on parameters, low enough for a test to pass it. */
    private static final int MAX_PARAMETERS = 16;

    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        Path base = Files.createTempDirectory("herald-sse-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setMaxParameterCount(MAX_PARAMETERS);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        context.addServletContainerInitializer((classes, servletContext) -> sse.register(servletContext, BASE),
                Set.of());
        tomcat.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + BASE);
        return RunningServer.of(uri, () -> {
            tomcat.stop();
            tomcat.destroy();
            deleteTree(base);
        });
    }

    @Test
    void aStreamWithMoreParametersThanTomcatTakesIsRefusedNotServedWithoutSome() throws Exception {
        serve(b -> b);
        StringBuilder query = new StringBuilder("topics=a&filter=" + URLEncoder.encode("{\"kind\":\"x\"}",
                StandardCharsets.UTF_8));
        for (int i = 0; i < MAX_PARAMETERS; i++) {
            query.append("&p").append(i).append("=1");
        }
        SseClient c = open(query.toString(), Map.of());
        assertThat(c.status()).as(c.body()).isEqualTo(400);
        assertThat(c.json().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(c.json().path("message").asText()).contains("too many parameters");
        assertThat(hub.admin().connectionCount()).isZero();
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Tomcat refuses a request target holding bytes outside ASCII, not escaped, with its own 400. */
    @Override
    protected boolean refusesUnescapedNonAsciiItself() {
        return true;
    }
}
