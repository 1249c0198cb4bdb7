package io.herald.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.HubListener;
import io.herald.RateLimit;
import io.herald.RouteHandler;
import io.herald.SlowConsumerPolicy;
import io.herald.spi.Authenticator;
import io.herald.spi.Authorizer;
import io.herald.spi.Codec;
import io.herald.spi.HistoryLog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated settings of a hub, as {@link io.herald.HubBuilder} collected them. {@code codec},
 * {@code objectMapper} and {@code historyLog} are {@code null} when the defaults are to be used.
 */
public record HubConfig(String node, Authenticator authenticator, Authorizer authorizer, String tokenCookie,
        Duration authFrameDeadline, Set<String> allowedOrigins, Codec codec, ObjectMapper objectMapper,
        HistoryLog historyLog, int historySize, Duration historyMaxAge, int maxReplay, Duration heartbeat,
        int maxConnections, int maxConnectionsPerUser, int maxConnectionsPerIp, int maxSubscriptionsPerConnection,
        int maxRoomsPerConnection, boolean singleRoomPerConnection, int maxMembersPerRoom, int maxMemberMetaBytes, int maxFrameBytes,
        int outboundQueueFrames, long outboundQueueBytes, SlowConsumerPolicy slowConsumerPolicy,
        RateLimit inboundRate, RateLimit handshakeRate, RateLimit publishRate, int abuseThreshold, int maxBatchMs,
        int fanoutThreads, Duration drainTimeout, Clock clock, List<HubListener> listeners, Map<String, RouteHandler> routes) {
    /**
     * The most an event adds to its data on the wire: its topic and room (255 ASCII characters each), an id
     * of up to 128 characters (twice over SSE), the sender's id, the timestamp, the field names and the
     * framing.
     */
    public static final int EVENT_ENVELOPE_BYTES = 1_024;
    /** The smallest outbound queue in bytes: an event's envelope and 3 KiB of data. */
    public static final long MIN_OUTBOUND_QUEUE_BYTES = 4_096;

    /** @return the most data one event may carry: with its envelope, it must fit a connection's outbound queue */
    public long maxEventDataBytes() {
        return maxEventDataBytes(outboundQueueBytes);
    }

    /**
     * @param outboundQueueBytes a connection's outbound queue limit, bytes
     * @return the most data one event may carry with that queue
     */
    public static long maxEventDataBytes(long outboundQueueBytes) {
        return outboundQueueBytes - EVENT_ENVELOPE_BYTES;
    }
}
