package io.herald;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.internal.HubConfig;
import io.herald.internal.HubEngine;
import io.herald.internal.Topics;
import io.herald.spi.Authenticator;
import io.herald.spi.Authorizer;
import io.herald.spi.Codec;
import io.herald.spi.HistoryLog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Configures and builds a {@link Hub}. Every setter validates its argument at once and throws
 * {@link IllegalArgumentException} naming the setting; {@link #build()} checks combinations. Not
 * thread-safe; the hub it builds is.
 */
public final class HubBuilder {
    /**
     * The longest {@link #heartbeat}, {@link #authFrameDeadline} and {@link #drainTimeout}: one day. Longer
     * ones are mistakes, and durations such as {@code ChronoUnit.FOREVER} would overflow the hub's
     * millisecond and nanosecond arithmetic.
     */
    private static final Duration MAX_DURATION = Duration.ofDays(1);
    /** The largest in-memory history: its ring, allocated whole, then takes about 160 MB. */
    private static final int MAX_HISTORY_SIZE = 10_000_000;
    /** The most fan-out threads: far beyond any machine's cores, well short of exhausting threads. */
    private static final int MAX_FANOUT_THREADS = 256;

    private String node = "node-" + UUID.randomUUID().toString().substring(0, 8);
    private Authenticator authenticator = Authenticator.ANONYMOUS;
    private Authorizer authorizer = Authorizer.DEFAULT;
    private String tokenCookie;
    private Duration authFrameDeadline = Duration.ZERO;
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private Codec codec;
    private ObjectMapper objectMapper;
    private HistoryLog historyLog;
    private int historySize = 10_000;
    private Duration historyMaxAge = Duration.ofMinutes(10);
    private int maxReplay = 1_000;
    /** Whether {@link #maxReplay(int)} was called: only then may it contradict the queue or the history. */
    private boolean maxReplaySet;
    private Duration heartbeat = Duration.ofSeconds(25);
    private int maxConnections = 100_000;
    private int maxConnectionsPerUser = 100;
    private int maxConnectionsPerIp = 1_000;
    private int maxSubscriptionsPerConnection = 256;
    private int maxRoomsPerConnection = 64;
    private boolean singleRoomPerConnection;
    private int maxMembersPerRoom = 10_000;
    private int maxMemberMetaBytes = 256;
    private int maxFrameBytes = 64 * 1024;
    /** Whether {@link #maxFrameBytes(int)} was called: only then may it contradict the queue. */
    private boolean maxFrameBytesSet;
    private int outboundQueueFrames = 1_024;
    private long outboundQueueBytes = 4L * 1024 * 1024;
    private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.DISCONNECT;
    private RateLimit inboundRate = RateLimit.of(50, 100);
    private RateLimit handshakeRate = RateLimit.of(20, 40);
    private RateLimit publishRate = RateLimit.of(100, 200);
    private int abuseThreshold = 50;
    private int maxBatchMs = 1_000;
    /** One per processor, at most 8, and at least 2: see {@link #fanoutThreads(int)}. */
    private int fanoutThreads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    private Duration drainTimeout = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();
    private final List<HubListener> listeners = new ArrayList<>();
    private final Map<String, RouteHandler> routes = new LinkedHashMap<>();

    HubBuilder() {
    }

    /**
     * @param node this node's name, sent in {@code connected}; default {@code node-} plus 8 random hex digits
     * @return this builder
     */
    public HubBuilder node(String node) {
        this.node = requireText("node", node);
        return this;
    }

    /**
     * @param authenticator turns handshake credentials into a principal; default accepts everyone as anonymous
     * @return this builder
     */
    public HubBuilder authenticator(Authenticator authenticator) {
        this.authenticator = requireNonNull("authenticator", authenticator);
        return this;
    }

    /**
     * @param authorizer decides what principals may do; default {@link Authorizer#DEFAULT}
     * @return this builder
     */
    public HubBuilder authorizer(Authorizer authorizer) {
        this.authorizer = requireNonNull("authorizer", authorizer);
        return this;
    }

    /**
     * Reads the token from a cookie as well, after the header and the query parameter. Browsers send cookies
     * with a WebSocket handshake whatever page opens it, and WebSocket has no CORS, so a hub that reads one
     * needs {@link #allowedOrigins}: {@link #build()} refuses it without.
     *
     * @param name a cookie that carries the token, tried after the header and the query parameter;
     *     default none
     * @return this builder
     */
    public HubBuilder tokenCookie(String name) {
        this.tokenCookie = requireText("tokenCookie", name);
        return this;
    }

    /**
     * Lets WebSocket clients connect without credentials and authenticate with an {@code auth} frame within
     * the deadline; until then they may only send {@code auth} and {@code ping}. SSE streams and HTTP
     * publishes cannot send that frame, so their credentials are still judged when they arrive. Default:
     * disabled (zero), so credentials are judged at the handshake only.
     *
     * @param deadline how long an unauthenticated connection may stay open; zero disables; at most 1 day
     * @return this builder
     */
    public HubBuilder authFrameDeadline(Duration deadline) {
        this.authFrameDeadline = requireAtMostADay("authFrameDeadline", requireNotNegative("authFrameDeadline",
                deadline));
        return this;
    }

    /**
     * Restricts browsers to these origins ({@code https://app.example.com}); a handshake whose
     * {@code Origin} is not listed is refused with 403. Clients that send no {@code Origin} (services) are
     * not affected, except a request a browser marks as started by another page ({@code Sec-Fetch-Site} other
     * than {@code same-origin} or {@code none}): another origin's link or image, which carries the user's
     * cookies, is refused too. Default: empty, any origin; {@link #tokenCookie} needs a list.
     *
     * @param origins allowed origins, exact match
     * @return this builder
     */
    public HubBuilder allowedOrigins(String... origins) {
        for (String o : requireNonNull("allowedOrigins", origins)) {
            allowedOrigins.add(requireText("allowedOrigins", o));
        }
        return this;
    }

    /**
     * @param codec the wire format; default the JSON protocol {@code herald.v1}
     * @return this builder
     */
    public HubBuilder codec(Codec codec) {
        this.codec = requireNonNull("codec", codec);
        return this;
    }

    /**
     * @param mapper serializes the data passed to {@link Hub#publish} and route replies; default a plain
     *     {@code ObjectMapper}
     * @return this builder
     */
    public HubBuilder objectMapper(ObjectMapper mapper) {
        this.objectMapper = requireNonNull("objectMapper", mapper);
        return this;
    }

    /**
     * @param log the history log; default an in-memory ring sized by {@link #historySize} and
     *     {@link #historyMaxAge}. The hub closes it when it closes.
     * @return this builder
     */
    public HubBuilder historyLog(HistoryLog log) {
        this.historyLog = requireNonNull("historyLog", log);
        return this;
    }

    /**
     * @param events how many events the default in-memory history keeps; default 10,000; at most
     *     10,000,000 (the ring is allocated whole when the hub is built)
     * @return this builder
     */
    public HubBuilder historySize(int events) {
        this.historySize = requireAtMost("historySize", requirePositive("historySize", events), MAX_HISTORY_SIZE);
        return this;
    }

    /**
     * @param maxAge how long the default in-memory history keeps an event; default 10 minutes
     * @return this builder
     */
    public HubBuilder historyMaxAge(Duration maxAge) {
        this.historyMaxAge = requirePositive("historyMaxAge", maxAge);
        return this;
    }

    /**
     * A replay is queued whole, so it must also fit the room left in the connection's outbound queue when
     * the resume ends; a replay that does not is cut to the newest events that fit and is not
     * {@code recovered} either.
     *
     * @param events the most events one resume replays; beyond it the resume is not {@code recovered}; at
     *     most the outbound queue's frame limit ({@link #outboundQueue}) and the in-memory history's size;
     *     default 1,000, or the smaller of those two when one is smaller
     * @return this builder
     */
    public HubBuilder maxReplay(int events) {
        this.maxReplay = requirePositive("maxReplay", events);
        this.maxReplaySet = true;
        return this;
    }

    /**
     * @param interval how often connections get a keep-alive (a WebSocket ping, an SSE {@code : ping}); a
     *     WebSocket client silent for more than two intervals, with a ping queued after it was last heard
     *     written to it at least an interval ago, is closed with 1000 {@code idle-timeout}, and so is one
     *     silent for more than four none of whose writes completed for two (checked once per interval); SSE
     *     streams never are; default 25 seconds; at least 1 ms, at most 1 day
     * @return this builder
     */
    public HubBuilder heartbeat(Duration interval) {
        if (requireAtMostADay("heartbeat", requirePositive("heartbeat", interval)).toMillis() < 1) {
            throw new IllegalArgumentException("heartbeat must be at least 1 ms, was " + interval);
        }
        this.heartbeat = interval;
        return this;
    }

    /**
     * @param total open connections on this node; 0 means unlimited; default 100,000
     * @param perUser connections of one user; 0 means unlimited; default 100
     * @param perIp connections from one address (an IPv6 client's /64 counts as one address); 0 means
     *     unlimited; default 1,000
     * @return this builder
     */
    public HubBuilder maxConnections(int total, int perUser, int perIp) {
        this.maxConnections = requireNotNegative("maxConnections.total", total);
        this.maxConnectionsPerUser = requireNotNegative("maxConnections.perUser", perUser);
        this.maxConnectionsPerIp = requireNotNegative("maxConnections.perIp", perIp);
        return this;
    }

    /**
     * @param max patterns one connection may hold; default 256
     * @return this builder
     */
    public HubBuilder maxSubscriptionsPerConnection(int max) {
        this.maxSubscriptionsPerConnection = requirePositive("maxSubscriptionsPerConnection", max);
        return this;
    }

    /**
     * @param max rooms one connection may be in; default 64
     * @return this builder
     */
    public HubBuilder maxRoomsPerConnection(int max) {
        this.maxRoomsPerConnection = requirePositive("maxRoomsPerConnection", max);
        return this;
    }

    /**
     * @param single when {@code true}, joining a room first leaves the room the connection is in;
     *     default {@code false}
     * @return this builder
     */
    public HubBuilder singleRoomPerConnection(boolean single) {
        this.singleRoomPerConnection = single;
        return this;
    }

    /**
     * @param max members one room may have on this node; default 10,000
     * @return this builder
     */
    public HubBuilder maxMembersPerRoom(int max) {
        this.maxMembersPerRoom = requirePositive("maxMembersPerRoom", max);
        return this;
    }

    /**
     * A member's {@code meta} is kept for as long as it is in the room and sent, with every other member's,
     * in each joiner's {@code joined} answer, so its size bounds both the room's memory and that answer: 10,000
     * members of 256 bytes make a {@code joined} of about 3 MiB, within the default outbound queue of 4 MiB.
     * A join whose answer the joiner's queue could never hold is refused with {@code TOO_LARGE}, and nothing
     * changes: the joiner is not added and nobody sees it.
     *
     * @param bytes the largest {@code meta} of a {@code join}, as compact JSON in UTF-8; larger ones are
     *     answered {@code TOO_LARGE}; default 256
     * @return this builder
     */
    public HubBuilder maxMemberMetaBytes(int bytes) {
        this.maxMemberMetaBytes = requirePositive("maxMemberMetaBytes", bytes);
        return this;
    }

    /**
     * A published message is queued whole for each recipient, so one larger than a connection's outbound
     * queue would close every recipient as a slow consumer.
     *
     * @param bytes the largest inbound message accepted, in bytes; a larger WebSocket message closes the
     *     connection with 1009 {@code too-large}, a larger HTTP publish is answered 413; at most the outbound
     *     queue's byte limit ({@link #outboundQueue}) less 1,024 for an event's envelope; default 65,536, or
     *     that much when it is smaller
     * @return this builder
     */
    public HubBuilder maxFrameBytes(int bytes) {
        this.maxFrameBytes = requirePositive("maxFrameBytes", bytes);
        this.maxFrameBytesSet = true;
        return this;
    }

    /**
     * An event is queued whole, so the byte limit also bounds the data one event may carry: the limit less
     * 1 KiB for the event's envelope (topic, room, id, sender, framing).
     *
     * @param frames the most frames waiting for one connection; default 1,024
     * @param bytes the most bytes waiting for one connection; default 4 MiB; at least 4,096
     * @return this builder
     */
    public HubBuilder outboundQueue(int frames, long bytes) {
        this.outboundQueueFrames = requirePositive("outboundQueue.frames", frames);
        if (bytes < HubConfig.MIN_OUTBOUND_QUEUE_BYTES) {
            throw new IllegalArgumentException("outboundQueue.bytes must be at least "
                    + HubConfig.MIN_OUTBOUND_QUEUE_BYTES + " (an event's envelope takes up to "
                    + HubConfig.EVENT_ENVELOPE_BYTES + "), was " + bytes);
        }
        this.outboundQueueBytes = bytes;
        return this;
    }

    /**
     * @param policy what happens when a connection's outbound queue is full; default disconnect
     * @return this builder
     */
    public HubBuilder slowConsumerPolicy(SlowConsumerPolicy policy) {
        this.slowConsumerPolicy = requireNonNull("slowConsumerPolicy", policy);
        return this;
    }

    /**
     * @param limit inbound messages per connection; default 50/s, burst 100
     * @return this builder
     */
    public HubBuilder inboundRate(RateLimit limit) {
        this.inboundRate = requireNonNull("inboundRate", limit);
        return this;
    }

    /**
     * @param limit handshakes per client address (an IPv6 client's /64 counts as one address); default 20/s,
     *     burst 40
     * @return this builder
     */
    public HubBuilder handshakeRate(RateLimit limit) {
        this.handshakeRate = requireNonNull("handshakeRate", limit);
        return this;
    }

    /**
     * @param limit client publishes per user (per connection for anonymous clients); default 100/s, burst 200
     * @return this builder
     */
    public HubBuilder publishRate(RateLimit limit) {
        this.publishRate = requireNonNull("publishRate", limit);
        return this;
    }

    /**
     * @param rejections consecutive rate-limited requests after which the connection is closed with 1008
     *     {@code abuse}; default 50
     * @return this builder
     */
    public HubBuilder abuseThreshold(int rejections) {
        this.abuseThreshold = requirePositive("abuseThreshold", rejections);
        return this;
    }

    /**
     * @param millis the largest {@code batch} interval a client may ask for; default 1,000
     * @return this builder
     */
    public HubBuilder maxBatchMs(int millis) {
        this.maxBatchMs = requireNotNegative("maxBatchMs", millis);
        return this;
    }

    /**
     * Threads that write to the recipients of an event that goes to many connections. With them, the
     * publishing thread only queues the event and goes on, the writes spread over the cores, and a
     * connection that receives several events meanwhile gets them in one write. A publish to at most four
     * connections is always written on the publishing thread. On a single processor the default is still
     * two: with one, the thread that reads publishes and the one that writes took turns so closely, in about
     * half of the benchmark's flat-out SSE runs, that each write carried a third as many events, for 1.5
     * times the CPU per delivery (docs/benchmarks.md, session 20).
     *
     * @param threads 0 to write every recipient on the publishing thread; default the number of
     *     processors, at most 8 and at least 2; at most 256
     * @return this builder
     */
    public HubBuilder fanoutThreads(int threads) {
        this.fanoutThreads = requireAtMost("fanoutThreads", requireNotNegative("fanoutThreads", threads),
                MAX_FANOUT_THREADS);
        return this;
    }

    /**
     * @param timeout how long {@link Hub#close()} lets queued frames flush; how long a connection closed with a
     *     flush ({@link Hub#disconnect}, a refused {@code auth} frame) may take to flush before
     *     its transport is closed anyway; and how long an SSE stream cut at once (a slow consumer) stays open
     *     for its closing {@code error} event to follow the write in flight; default 5 seconds; 0 closes
     *     without waiting; at most 1 day
     * @return this builder
     */
    public HubBuilder drainTimeout(Duration timeout) {
        this.drainTimeout = requireAtMostADay("drainTimeout", requireNotNegative("drainTimeout", timeout));
        return this;
    }

    /**
     * @param clock the time source for timestamps, rate limits, heartbeats and history age; default UTC
     *     system clock
     * @return this builder
     */
    public HubBuilder clock(Clock clock) {
        this.clock = requireNonNull("clock", clock);
        return this;
    }

    /**
     * @param listener lifecycle callbacks; may be called several times to add several
     * @return this builder
     */
    public HubBuilder listener(HubListener listener) {
        listeners.add(requireNonNull("listener", listener));
        return this;
    }

    /**
     * Registers a {@code send} route.
     *
     * @param name the route name, as in {@code {"type":"send","route":name}}; same rules as a topic
     * @param handler its handler
     * @return this builder
     * @throws IllegalArgumentException if the name is invalid or already registered
     */
    public HubBuilder route(String name, RouteHandler handler) {
        String problem = Topics.topicProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("route name '" + name + "' is invalid: " + problem);
        }
        requireNonNull("route handler", handler);
        if (routes.putIfAbsent(name, handler) != null) {
            throw new IllegalArgumentException("route already registered: " + name);
        }
        return this;
    }

    /**
     * @return a running hub
     * @throws IllegalArgumentException if settings contradict each other
     */
    public Hub build() {
        if (tokenCookie != null && allowedOrigins.isEmpty()) {
            throw new IllegalArgumentException("tokenCookie(\"" + tokenCookie + "\") needs allowedOrigins: a browser "
                    + "sends the cookie with a WebSocket handshake from any site's page, so without an Origin "
                    + "allow-list every site could connect as the user");
        }
        if (maxReplaySet && maxReplay > historySize && historyLog == null) {
            throw new IllegalArgumentException("maxReplay (" + maxReplay + ") must not exceed historySize ("
                    + historySize + ")");
        }
        if (maxReplaySet && maxReplay > outboundQueueFrames) {
            throw new IllegalArgumentException("maxReplay (" + maxReplay + ") must not exceed outboundQueue.frames ("
                    + outboundQueueFrames + "): a replay is queued whole");
        }
        long eventData = HubConfig.maxEventDataBytes(outboundQueueBytes);
        if (maxFrameBytesSet && maxFrameBytes > eventData) {
            throw new IllegalArgumentException("maxFrameBytes (" + maxFrameBytes + ") must leave room in "
                    + "outboundQueue.bytes (" + outboundQueueBytes + ") for an event's envelope ("
                    + HubConfig.EVENT_ENVELOPE_BYTES + " bytes): a published message is queued whole; at most "
                    + eventData);
        }
        // left at its default, the frame limit follows a smaller queue instead of refusing it
        int frameBytes = maxFrameBytesSet ? maxFrameBytes : (int) Math.min(maxFrameBytes, eventData);
        int replay = maxReplay;
        if (!maxReplaySet) {
            // left at its default, it follows a smaller queue or history instead of refusing them
            replay = Math.min(replay, outboundQueueFrames);
            if (historyLog == null) {
                replay = Math.min(replay, historySize);
            }
        }
        return new HubEngine(new HubConfig(node, authenticator, authorizer, tokenCookie, authFrameDeadline,
                Set.copyOf(allowedOrigins), codec, objectMapper, historyLog, historySize, historyMaxAge, replay,
                heartbeat, maxConnections, maxConnectionsPerUser, maxConnectionsPerIp, maxSubscriptionsPerConnection,
                maxRoomsPerConnection, singleRoomPerConnection, maxMembersPerRoom, maxMemberMetaBytes, frameBytes,
                outboundQueueFrames,
                outboundQueueBytes, slowConsumerPolicy, inboundRate, handshakeRate, publishRate, abuseThreshold,
                maxBatchMs, fanoutThreads, drainTimeout, clock, List.copyOf(listeners), Map.copyOf(routes)));
    }

    private static <T> T requireNonNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    private static String requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    private static int requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    private static int requireAtMost(String name, int value, int max) {
        if (value > max) {
            throw new IllegalArgumentException(name + " must be at most " + max + ", was " + value);
        }
        return value;
    }

    private static int requireNotNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    private static Duration requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
        return value;
    }

    private static Duration requireNotNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    private static Duration requireAtMostADay(String name, Duration value) {
        if (value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be at most 1 day, was " + value);
        }
        return value;
    }
}
