package io.herald.benchmarks.load;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;

/**
 * The peer a Java developer writes by hand: a Jakarta WebSocket endpoint on the same embedded Jetty 12 as
 * {@link BenchServer} that keeps its sessions in a set and sends every text message it receives to all
 * other sessions with the asynchronous remote. No topics, no queues, no limits. Prints
 * {@code READY <port>} when up.
 *
 * <p>Usage: {@code JettyLoopServer [port]} (0 or none: a free port).
 */
public final class JettyLoopServer {
    private JettyLoopServer() {
    }

    /** The hand-written broadcast endpoint. */
    @ServerEndpoint("/loop")
    public static final class Loop {
        private static final Set<Session> SESSIONS = ConcurrentHashMap.newKeySet();

        /** @param session a new subscriber (or the publisher) */
        @OnOpen
        public void open(Session session) {
            SESSIONS.add(session);
        }

        /** @param session a session that ended */
        @OnClose
        public void close(Session session) {
            SESSIONS.remove(session);
        }

        /**
         * @param session the session
         * @param error what went wrong
         */
        @OnError
        public void error(Session session, Throwable error) {
            SESSIONS.remove(session);
        }

        /**
         * @param from the sender
         * @param text the message, sent as it is to everyone else
         */
        @OnMessage
        public void message(Session from, String text) {
            for (Session s : SESSIONS) {
                if (s != from && s.isOpen()) {
                    s.getAsyncRemote().sendText(text);
                }
            }
        }
    }

    /**
     * @param args optional port
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Server server = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> container.addEndpoint(Loop.class));
        BenchServer.start(server, context, port);
        server.join();
    }
}
