package io.herald.transport.jakarta.jetty;

import io.herald.Hub;
import io.herald.transport.jakarta.HeraldWebSocket;
import io.herald.transport.jakarta.contract.WebSocketFlowContract;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.ee10.websocket.servlet.WebSocketUpgradeFilter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The WebSocket contract on embedded Jetty 12 (ee10), with Herald's handshake filter prepended in front
 * of Jetty's {@code WebSocketUpgradeFilter}, driven by the JDK client.
 */
class JettyTransportIT extends WebSocketFlowContract {
    @Override
    protected RunningServer start(Hub hub) throws Exception {
        return startJetty(hub, true);
    }

    /**
     * @param hub the hub to serve at {@link #PATH}
     * @param filter whether Herald's handshake filter is prepended
     * @return the running Jetty
     */
    static RunningServer startJetty(Hub hub, boolean filter) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        server.setHandler(context);
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            HeraldWebSocket.register(container, hub, PATH);
            if (!filter) {
                return;
            }
            WebSocketUpgradeFilter.ensureFilter(servletContext);
            FilterHolder holder = new FilterHolder(HeraldWebSocket.handshakeFilter(hub));
            holder.setName("herald-handshake");
            FilterMapping mapping = new FilterMapping();
            mapping.setFilterName("herald-handshake");
            mapping.setPathSpec(PATH);
            mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
            context.getServletHandler().prependFilter(holder);
            context.getServletHandler().prependFilterMapping(mapping);
        });
        server.start();
        URI uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + PATH);
        return RunningServer.of(uri, server::stop);
    }

    @Override
    protected boolean containerTimesOutStalledSends() {
        return true;
    }

    @Override
    protected boolean refusesBeforeUpgrade() {
        return true;
    }
}
