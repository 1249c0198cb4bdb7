package io.herald.transport.sse.jetty;

import io.herald.transport.sse.HeraldSse;
import io.herald.transport.sse.contract.SseBrowserContract;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The SSE contract on embedded Jetty 12 (ee10), with the servlet from {@link HeraldSse#servlet()} mounted
 * the way a framework that owns routing would, driven by the JDK client and Node's {@code eventsource}.
 */
class JettySseIT extends SseBrowserContract {
    @Override
    protected RunningServer start(HeraldSse sse) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("herald-sse", sse.servlet());
        holder.setAsyncSupported(true);
        context.addServlet(holder, BASE + "/*");
        server.setHandler(context);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + BASE);
        return RunningServer.of(base, server::stop);
    }
}
