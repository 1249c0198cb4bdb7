package io.herald.internal;

import io.herald.CloseReason;
import io.herald.Hub;
import io.herald.HubAdmin;
import io.herald.HubMetrics;
import io.herald.spi.ConnectionGateway;
import java.time.Duration;

/** Placeholder: the engine is being built; every call fails until then. */
public final class HubEngine implements Hub {
    private final HubConfig config;

    /** @param config validated settings */
    public HubEngine(HubConfig config) {
        this.config = config;
    }

    private static UnsupportedOperationException todo() {
        return new UnsupportedOperationException("engine not built yet");
    }

    @Override public String publish(String topic, Object data) { throw todo(); }
    @Override public String emit(String room, String topic, Object data) { throw todo(); }
    @Override public String emit(String room, String topic, Object data, String except) { throw todo(); }
    @Override public boolean sendToConnection(String id, String topic, Object data) { throw todo(); }
    @Override public int sendToUser(String user, String topic, Object data) { throw todo(); }
    @Override public boolean disconnect(String id, CloseReason reason) { throw todo(); }
    @Override public int disconnectUser(String user, CloseReason reason) { throw todo(); }
    @Override public ConnectionGateway gateway() { throw todo(); }
    @Override public HubAdmin admin() { throw todo(); }
    @Override public HubMetrics metrics() { throw todo(); }
    @Override public String node() { return config.node(); }
    @Override public Duration heartbeat() { return config.heartbeat(); }
    @Override public void close(Duration drain) { }
    @Override public void close() { }
}
