package io.herald.undertow;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.InstanceFactory;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;

/** An embedded Undertow serving one servlet on loopback, on a free port, and over TLS when asked. */
final class UndertowServers {
    private final Undertow server;
    private final DeploymentManager manager;

    private UndertowServers(Undertow server, DeploymentManager manager) {
        this.server = server;
        this.manager = manager;
    }

    /**
     * @param servlet the servlet, mapped with async support
     * @param mapping its mapping, such as {@code /events/*}
     * @param tls a TLS context for a second listener, or {@code null} for none
     * @return the started server
     */
    static UndertowServers start(HttpServlet servlet, String mapping, SSLContext tls) throws Exception {
        @SuppressWarnings("unchecked")
        Class<? extends Servlet> type = (Class<? extends Servlet>) servlet.getClass();
        InstanceFactory<? extends Servlet> instance = new ImmediateInstanceFactory<>(servlet);
        ServletInfo info = new ServletInfo("herald", type, instance).addMapping(mapping).setAsyncSupported(true);
        DeploymentInfo deployment = Servlets.deployment()
                .setClassLoader(UndertowServers.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("herald")
                .addServlet(info);
        DeploymentManager manager = Servlets.newContainer().addDeployment(deployment);
        manager.deploy();
        HttpHandler handler = manager.start();
        Undertow.Builder b = Undertow.builder()
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, true)
                .addHttpListener(0, "127.0.0.1")
                .setHandler(handler);
        if (tls != null) {
            b.addHttpsListener(0, "127.0.0.1", tls);
        }
        Undertow server = b.build();
        server.start();
        return new UndertowServers(server, manager);
    }

    /** @return the plain listener's port */
    int port() {
        return port(0);
    }

    /** @return the TLS listener's port */
    int tlsPort() {
        return port(1);
    }

    private int port(int listener) {
        return ((InetSocketAddress) server.getListenerInfo().get(listener).getAddress()).getPort();
    }

    /** @return the connections the plain listener holds open */
    long openConnections() {
        return server.getListenerInfo().get(0).getConnectorStatistics().getActiveConnections();
    }

    void stop() throws Exception {
        manager.stop();
        manager.undeploy();
        server.stop();
    }
}
