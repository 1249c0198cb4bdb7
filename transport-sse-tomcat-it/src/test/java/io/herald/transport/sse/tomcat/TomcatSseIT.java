package io.herald.transport.sse.tomcat;

import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.SseBrowserContract;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The SSE contract on embedded Tomcat 11, with the servlet registered by
 * {@link HeraldSse#register(jakarta.servlet.ServletContext, String)} from a container initializer, driven
 * by the JDK client and Node's {@code eventsource}.
 */
class TomcatSseIT extends SseBrowserContract {
    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        Path base = Files.createTempDirectory("herald-sse-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
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

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
