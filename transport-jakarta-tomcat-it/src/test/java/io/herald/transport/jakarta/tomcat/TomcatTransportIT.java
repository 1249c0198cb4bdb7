package io.herald.transport.jakarta.tomcat;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldWebSocket;
import io.herald.transport.jakarta.contract.WebSocketFlowContract;
import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * The WebSocket contract on embedded Tomcat 11, with Herald's handshake filter declared as a plain filter
 * (Tomcat's own WebSocket filter runs after declared ones), driven by the JDK client.
 */
class TomcatTransportIT extends WebSocketFlowContract {
    @Override
    protected RunningServer start(Hub hub) throws Exception {
        return startTomcat(hub, true);
    }

    /**
     * @param hub the hub to serve at {@link #PATH}
     * @param filter whether Herald's handshake filter is declared
     * @return the running Tomcat
     */
    static RunningServer startTomcat(Hub hub, boolean filter) throws Exception {
        return startTomcat(hub, filter, servletContext -> {
            ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
            try {
                HeraldWebSocket.register(container, hub, PATH);
            } catch (DeploymentException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * @param hub the hub to serve at {@link #PATH}
     * @param filter whether Herald's handshake filter is declared
     * @param mount mounts the endpoint while the context starts, after Tomcat's WebSocket container is made
     * @return the running Tomcat
     */
    static RunningServer startTomcat(Hub hub, boolean filter, Consumer<ServletContext> mount) throws Exception {
        return startTomcat(hub, filter, mount, started -> { });
    }

    /**
     * @param hub the hub to serve at {@link #PATH}
     * @param filter whether Herald's handshake filter is declared
     * @param mount mounts the endpoint while the context starts, after Tomcat's WebSocket container is made
     * @param started told Tomcat once it has started (its connector is the endpoint's)
     * @return the running Tomcat
     */
    static RunningServer startTomcat(Hub hub, boolean filter, Consumer<ServletContext> mount,
            Consumer<Tomcat> started) throws Exception {
        Path base = Files.createTempDirectory("herald-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "default", new DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        if (filter) {
            FilterDef def = new FilterDef();
            def.setFilterName("herald-handshake");
            def.setFilter(HeraldWebSocket.handshakeFilter(hub));
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName("herald-handshake");
            map.addURLPattern(PATH);
            context.addFilterMap(map);
        }
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer((classes, servletContext) -> mount.accept(servletContext), Set.of());
        tomcat.start();
        started.accept(tomcat);
        URI uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + PATH);
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

    @Override
    protected boolean containerTimesOutStalledSends() {
        return true;
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return true;
    }

    @Override
    protected boolean dropsTheConnectionAfterRefusingAFrame() {
        return true;
    }

    /** Tomcat refuses a request target holding bytes outside ASCII, not escaped, with its own 400. */
    @Override
    protected boolean refusesUnescapedNonAsciiItself() {
        return true;
    }
}
