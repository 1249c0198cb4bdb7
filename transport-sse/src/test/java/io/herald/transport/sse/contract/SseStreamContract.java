package io.herald.transport.sse.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.ConnectionInfo;
import io.herald.HubListener;
import io.herald.testing.NodeClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The SSE stream's behaviour over time: heartbeats, resume with {@code Last-Event-ID} under load, a client
 * that stops reading, shutdown, and a Node {@code eventsource} client. Subclassed once per container.
 */
public abstract class SseStreamContract extends SseRefusalsContract {
    @Test
    void anIdleStreamReceivesPingCommentsEveryHeartbeat() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(200)));
        Opened s = connect("topics=quiet");
        assertThat(s.client().comments().poll(5, TimeUnit.SECONDS)).isEqualTo("ping");
        assertThat(s.client().comments().poll(5, TimeUnit.SECONDS)).isEqualTo("ping");
    }

    @Test
    void aStreamResumedWithLastEventIdWhileEventsKeepComingMissesNoneAndRepeatsNone() throws Exception {
        // Large queue and replay bounds: on a loaded machine the reconnect may take long enough for the replay
        // to outgrow the defaults (1,000 events, 1,024 frames), which this test is not about.
        serve(b -> b.historySize(100_000).maxReplay(100_000).outboundQueue(100_000, 256L << 20));
        Opened first = connect("topics=seq");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger published = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            for (int n = 0; n < 20_000 && !stop.get(); n++) {
                hub.publish("seq", Map.of("n", n));
                published.set(n + 1);
                LockSupport.parkNanos(500_000);
            }
        }, "sse-it-publisher");
        publisher.start();
        List<Integer> seen = new ArrayList<>();
        String lastId = null;
        while (seen.size() < 50) {
            SseClient.Event e = next(first.client());
            seen.add(e.json().path("data").path("n").asInt());
            lastId = e.id();
        }
        first.client().close();
        SseClient second = open("topics=seq", Map.of("Last-Event-ID", lastId));
        SseClient.Event connected = second.next();
        assertThat(connected.event()).isEqualTo("connected");
        assertThat(connected.json().path("recovered").asBoolean()).isTrue();
        for (int i = 0; i < 100; i++) {
            seen.add(next(second).json().path("data").path("n").asInt());
        }
        stop.set(true);
        publisher.join(10_000);
        int total = published.get();
        while (seen.size() < total) {
            seen.add(next(second).json().path("data").path("n").asInt());
        }
        List<Integer> expected = new ArrayList<>();
        for (int n = 0; n < total; n++) {
            expected.add(n);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(second.poll(Duration.ofMillis(200))).isNull();
    }

    @Test
    void aStalledReaderIsCutAsASlowConsumerWhileAnotherStreamKeepsReceiving(TestReporter reporter) throws Exception {
        serveWithSmallQueues(Duration.ofSeconds(5));
        Opened fast = connect("topics=big");
        track(StalledReader.open(stream("topics=big")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 2);
        String slowId = hub.admin().connections().stream().map(ConnectionInfo::connectionId)
                .filter(id -> !id.equals(fast.id())).findFirst().orElseThrow();
        int n = publishBigUntilClosed(slowId,
                i -> assertThat(fast.client().next().json().path("data").path("n").asInt()).isEqualTo(i));
        reporter.publishEntry("events until the stalled reader was cut", Integer.toString(n));
        assertThat(closes.get(slowId)).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(closes).doesNotContainKey(fast.id());
        String after = hub.publish("big", Map.of("n", n, "pad", "small"));
        assertThat(fast.client().next().id()).isEqualTo(after);
    }

    @Test
    void aStalledReaderWhoseQueueNeverFillsIsCutOnceItsWritesStopped() throws Exception {
        // a queue that holds every event: only the hub's check of the writes (two heartbeats without a completed
        // send, plus the time the batch in flight takes at 8 KiB/s, under 5 s for these small events) ends it
        serve(b -> b.heartbeat(Duration.ofSeconds(5)).outboundQueue(500_000, 256L * 1024 * 1024)
                .drainTimeout(Duration.ofMillis(500)).listener(recordingCloses()));
        track(StalledReader.open(stream("topics=feed")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 1);
        String id = hub.admin().connections().get(0).connectionId();
        String pad = "p".repeat(50);
        // about 20 MB: more than the socket buffers and the container's, so frames wait in the hub
        for (int i = 0; i < 150_000; i++) {
            hub.publish("feed", Map.of("n", i, "p", pad));
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> hub.metrics().queuedFrames() > 0);
        await().atMost(Duration.ofSeconds(40)).until(() -> closes.containsKey(id));
        assertThat(closes.get(id)).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(hub.metrics().slowConsumerDisconnects()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 0);
    }

    @Test
    void aStalledReaderThatReadsAgainFindsTheSlowConsumerErrorLastThenTheEnd(TestReporter reporter)
            throws Exception {
        // a long drain timeout: the closing error waits behind the stalled write until this test reads
        serveWithSmallQueues(Duration.ofSeconds(60));
        StalledReader slow = track(StalledReader.open(stream("topics=big")));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.admin().connectionCount() == 1);
        String slowId = hub.admin().connections().get(0).connectionId();
        int published = publishBigUntilClosed(slowId, i -> { });
        assertThat(closes.get(slowId)).isEqualTo(CloseReason.SLOW_CONSUMER);

        StalledReader.Read read = slow.readToEnd(Duration.ofSeconds(10));
        reporter.publishEntry("published until cut / events read", published + " / " + read.events().size());
        assertThat(read.end()).as("the response ended").isEqualTo("last-chunk");
        assertThat(read.events().get(0).event()).isEqualTo("connected");
        assertClosingError(read.last(), "LIMIT_EXCEEDED", "slow-consumer", 1013);
        List<SseClient.Event> delivered = read.events().subList(1, read.events().size() - 1);
        assertThat(delivered).as("events that got through before the cut").isNotEmpty()
                .allMatch(e -> e.event() == null);
        for (int i = 0; i < delivered.size(); i++) {
            assertThat(delivered.get(i).json().path("data").path("n").asInt()).as("event %d", i).isEqualTo(i);
        }
        assertThat(delivered.size()).as("the queued ones were discarded").isLessThan(published);
    }

    @Test
    void anApplicationDisconnectEndsTheStreamWithAnErrorEventThatSaysWhy() throws Exception {
        serve(b -> b);
        Opened s = connect("topics=t");
        String id = hub.publish("t", Map.of("n", 1));
        assertThat(hub.disconnect(s.id(), CloseReason.DISCONNECTED)).isTrue();
        assertThat(next(s.client()).id()).isEqualTo(id);
        assertClosingError(next(s.client()), "INTERNAL", "disconnected", 1000);
        assertThat(s.client().awaitEnd(Duration.ofSeconds(10))).as("the stream ended").isTrue();
        assertThat(s.client().poll(Duration.ZERO)).as("nothing after the error").isNull();
    }

    @Test
    void aStreamIsExactlyFramedChunkedHttpAndItsConnectionServesAnotherRequestAfterItEnds() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(100)));
        assertExactFramingAndReuse(track(RawStream.connect(server.base(), SocketFactory.getDefault())));
    }

    /**
     * On a stream of topic {@code t} (the hub serving with a heartbeat of 100 ms): single-event chunks with
     * heartbeats between them, then a burst, every event once and in order and every chunk exactly framed;
     * then the hub ends the stream, which ends with its closing error and the last chunk, and a second
     * request on the same connection gets a working stream.
     *
     * @param raw a client connected to the server
     */
    protected void assertExactFramingAndReuse(RawStream raw) throws Exception {
        RawStream.Head head = raw.get(stream("topics=t"));
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.values("transfer-encoding")).containsExactly("chunked");
        SseClient.Event connected = raw.next();
        assertThat(connected.event()).isEqualTo("connected");
        String connectionId = connected.json().path("connectionId").asText();
        List<String> published = new ArrayList<>();
        List<String> received = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            // one event per write, with heartbeat comments between some of them
            published.add(hub.publish("t", Map.of("n", n)));
            received.add(raw.next().id());
            if (n % 10 == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
            }
        }
        for (int n = 50; n < 500; n++) {
            // a burst: events that wait for the write in flight leave together
            published.add(hub.publish("t", Map.of("n", n, "pad", "p".repeat(n))));
        }
        while (received.size() < published.size()) {
            SseClient.Event e = raw.next();
            assertThat(e).as("event %d", received.size()).isNotNull();
            received.add(e.id());
        }
        assertThat(received).containsExactlyElementsOf(published);

        assertThat(hub.disconnect(connectionId, CloseReason.DISCONNECTED)).isTrue();
        assertClosingError(raw.next(), "INTERNAL", "disconnected", 1000);
        assertThat(raw.next()).isNull();
        assertThat(raw.ended()).as("the response ended with the last chunk").isTrue();

        RawStream.Head again = raw.get(stream("topics=t"));
        assertThat(again.status()).as("a second request on the same connection").isEqualTo(200);
        assertThat(raw.next().event()).isEqualTo("connected");
        String id = hub.publish("t", Map.of("n", "again"));
        assertThat(raw.next().id()).isEqualTo(id);
    }

    @Test
    void aStreamAskedWithConnectionCloseIsFramedRightAndEndsTheConnectionAfterIt() throws Exception {
        serve(b -> b);
        RawStream raw = track(RawStream.connect(server.base(), SocketFactory.getDefault()));
        RawStream.Head head = raw.get(stream("topics=t"), "Connection: close");
        assertThat(head.status()).isEqualTo(200);
        SseClient.Event connected = raw.next();
        assertThat(connected.event()).isEqualTo("connected");
        List<String> published = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            published.add(hub.publish("t", Map.of("n", n)));
            assertThat(raw.next().id()).isEqualTo(published.get(n));
        }
        assertThat(hub.disconnect(connected.json().path("connectionId").asText(), CloseReason.DISCONNECTED)).isTrue();
        assertClosingError(raw.next(), "INTERNAL", "disconnected", 1000);
        assertThat(raw.next()).isNull();
        assertThat(raw.connectionClosed()).as("the server closed the connection").isTrue();
    }

    @Test
    void aClientThatGoesAwayIsForgottenByTheNextHeartbeat() throws Exception {
        serve(b -> b.heartbeat(Duration.ofMillis(200)));
        Opened s = connect("topics=t");
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.admin().connectionCount() == 1);
        s.client().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.admin().connectionCount() == 0);
    }

    @Test
    void aStreamStartsWithItsFilterAndResumesFromTheLastEventIdQueryParameter() throws Exception {
        serve(b -> b);
        String seen = hub.publish("job.done", Map.of("priority", "high", "n", 0));
        hub.publish("job.done", Map.of("priority", "low", "n", 1));
        String missed = hub.publish("job.done", Map.of("priority", "high", "n", 2));
        String filter = URLEncoder.encode("{\"priority\":[\"high\"]}", StandardCharsets.UTF_8);
        SseClient c = open("topics=job.*&filter=" + filter + "&lastEventId=" + seen, Map.of());
        SseClient.Event connected = c.next();
        assertThat(connected.json().path("recovered").asBoolean()).isTrue();
        assertThat(c.next().id()).isEqualTo(missed);
        hub.publish("job.done", Map.of("priority", "low", "n", 3));
        String live = hub.publish("job.done", Map.of("priority", "high", "n", 4));
        assertThat(c.next().id()).isEqualTo(live);
    }

    @Test
    void hubShutdownDeliversWhatIsQueuedThenTheShutdownErrorThenEndsEveryStream() throws Exception {
        serve(b -> b);
        Opened a = connect("topics=t");
        Opened b = connect("topics=t");
        String id = hub.publish("t", Map.of("last", true));
        hub.close(Duration.ofSeconds(5));
        for (Opened s : List.of(a, b)) {
            assertThat(next(s.client()).id()).isEqualTo(id);
            assertClosingError(next(s.client()), "INTERNAL", "shutdown", 1001);
            assertThat(s.client().awaitEnd(Duration.ofSeconds(10))).as("stream %s ended", s.id()).isTrue();
            assertThat(s.client().poll(Duration.ZERO)).as("nothing after the error").isNull();
        }
    }

    /** What a test does after each event {@link #publishBigUntilClosed} publishes. */
    @FunctionalInterface
    protected interface AfterPublish {
        /** @param n the event's number, from 0 */
        void accept(int n) throws Exception;
    }

    /** Every close the hub reported, by connection id, once {@link #serveWithSmallQueues} served. */
    protected final Map<String, CloseReason> closes = new ConcurrentHashMap<>();

    /**
     * Serves with queues of 16 frames and 256 KiB, so a client that stops reading is soon a slow consumer,
     * and records every close in {@link #closes}.
     *
     * @param drainTimeout how long the hub waits for a closing stream's last write
     */
    protected void serveWithSmallQueues(Duration drainTimeout) throws Exception {
        serve(b -> b.outboundQueue(16, 256 * 1024).drainTimeout(drainTimeout).listener(recordingCloses()));
    }

    /** @return a listener that records every close in {@link #closes} */
    private HubListener recordingCloses() {
        return new HubListener() {
            @Override
            public void onDisconnected(ConnectionInfo connection, CloseReason reason) {
                closes.put(connection.connectionId(), reason);
            }
        };
    }

    /**
     * Publishes 32 KiB events to {@code big} until the hub closed the connection (at most 2,000 events or
     * 60 s).
     *
     * @param connectionId the connection expected to be cut
     * @param afterEach given each event's number once it is published
     * @return how many were published
     */
    protected int publishBigUntilClosed(String connectionId, AfterPublish afterEach) throws Exception {
        String payload = "x".repeat(32 * 1024);
        long start = System.nanoTime();
        int n = 0;
        while (!closes.containsKey(connectionId) && n < 2_000
                && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
            hub.publish("big", Map.of("n", n, "pad", payload));
            afterEach.accept(n);
            n++;
        }
        return n;
    }

    /**
     * Asserts the named {@code error} event a stream ends with: no {@code id:} line (the client's
     * {@code Last-Event-ID} stays the last event's), the protocol's error object, the close it announces.
     */
    private static void assertClosingError(SseClient.Event event, String code, String reason, int closeCode) {
        assertThat(event).as("a last event").isNotNull();
        assertThat(event.event()).isEqualTo("error");
        assertThat(event.id()).isNull();
        JsonNode error = event.json();
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotEmpty();
        assertThat(error.path("reason").asText()).isEqualTo(reason);
        assertThat(error.path("closeCode").asInt()).isEqualTo(closeCode);
        assertThat(error.has("ref")).isFalse();
    }

    @Test
    void aNodeEventSourceClientReceivesEventsAndResumesWithLastEventId() throws Exception {
        NodeClient node = NodeClient.locate("eventsource@2");
        serve(b -> b);
        try (NodeClient.Run run = node.run("herald-sse-client.mjs", stream("topics=node.*").toString())) {
            run.expect("CONNECTED");
            String first = hub.publish("node.one", Map.of("n", 1));
            assertThat(run.expect("EVENT ")).isEqualTo("EVENT " + first + " node.one");
            run.expect("CLOSED");
            String missed = hub.publish("node.two", Map.of("n", 2));
            run.send("GO");
            assertThat(run.expect("RECOVERED ")).isEqualTo("RECOVERED true");
            assertThat(run.expect("EVENT ")).isEqualTo("EVENT " + missed + " node.two");
            assertThat(run.exitCode()).isZero();
        }
    }
}
