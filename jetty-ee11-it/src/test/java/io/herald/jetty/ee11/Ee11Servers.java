package io.herald.jetty.ee11;

import io.herald.testing.SelfSignedTls;
import jakarta.servlet.http.HttpServlet;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Jetty 12.1 serving one servlet in an ee11 context on loopback, on a free port, and over TLS when asked. */
final class Ee11Servers {
    private final Server server;
    private final ServerConnector plain;
    private final ServerConnector secure;

    private Ee11Servers(Server server, ServerConnector plain, ServerConnector secure) {
        this.server = server;
        this.plain = plain;
        this.secure = secure;
    }

    /**
     * @param servlet the servlet, mapped with async support
     * @param mapping its mapping, such as {@code /events/*}
     * @param tls a certificate for a second connector, or {@code null} for none
     * @return the started server
     */
    static Ee11Servers start(HttpServlet servlet, String mapping, SelfSignedTls tls) throws Exception {
        return start(servlet, mapping, tls, UnaryOperator.identity());
    }

    /**
     * @param servlet the servlet, mapped with async support
     * @param mapping its mapping, such as {@code /events/*}
     * @param tls a certificate for a second connector, or {@code null} for none
     * @param front wraps the servlet context in the handler the server is given
     * @return the started server
     */
    static Ee11Servers start(HttpServlet servlet, String mapping, SelfSignedTls tls, UnaryOperator<Handler> front)
            throws Exception {
        Server server = new Server();
        ServerConnector plain = new ServerConnector(server);
        plain.setHost("127.0.0.1");
        plain.setPort(0);
        server.addConnector(plain);
        ServerConnector secure = null;
        if (tls != null) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore().toString());
            ssl.setKeyStorePassword(tls.password());
            ssl.setKeyStoreType("PKCS12");
            HttpConfiguration https = new HttpConfiguration();
            https.addCustomizer(new SecureRequestCustomizer(false));
            secure = new ServerConnector(server, ssl, new HttpConnectionFactory(https));
            secure.setHost("127.0.0.1");
            secure.setPort(0);
            server.addConnector(secure);
        }
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("herald", servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, mapping);
        server.setHandler(front.apply(context));
        server.start();
        return new Ee11Servers(server, plain, secure);
    }

    int port() {
        return plain.getLocalPort();
    }

    int tlsPort() {
        return secure.getLocalPort();
    }

    /** @return the connections the plain connector holds open */
    long openConnections() {
        return plain.getConnectedEndPoints().size();
    }

    /** Stops the server and starts it again; its connectors then listen on new ports. */
    void restart() throws Exception {
        server.stop();
        server.start();
    }

    void stop() throws Exception {
        server.stop();
    }
}
