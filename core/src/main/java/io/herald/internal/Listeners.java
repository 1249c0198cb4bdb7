package io.herald.internal;

import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.HubListener;
import io.herald.Member;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the application's listeners, logging and swallowing what they throw. */
final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<HubListener> listeners;

    Listeners(List<HubListener> listeners) {
        this.listeners = listeners;
    }

    void connected(ConnectionInfo info) {
        each(l -> l.onConnected(info));
    }

    void disconnected(ConnectionInfo info, CloseReason reason) {
        each(l -> l.onDisconnected(info, reason));
    }

    void join(String room, Member member) {
        each(l -> l.onJoin(room, member));
    }

    void leave(String room, Member member) {
        each(l -> l.onLeave(room, member));
    }

    void error(String connectionId, Throwable error) {
        each(l -> l.onError(connectionId, error));
    }

    private void each(Consumer<HubListener> call) {
        for (HubListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed", l, e);
            }
        }
    }
}
