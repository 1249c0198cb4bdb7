package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.internal.JsonCodec;
import io.herald.spi.Authorizer;
import io.herald.spi.Codec;
import io.herald.spi.Framing;
import io.herald.spi.Handshake;
import io.herald.spi.InitialSubscription;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.testing.HookedHistoryLog;
import io.herald.testing.RecordingTransport;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Application code that fails for one recipient of an event skips that recipient and no other, and a failure
 * while queueing never leaves a connection's writer stopped.
 */
class RecipientFailureTest {
    private Hub hub;
    private final List<String> errors = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    /** A hub whose authorizer throws when asked whether "bob" may receive a topic, and lets clients publish. */
    private void openWithAuthorizerFailingForBob() {
        hub = Hub.builder()
                .authenticator((token, h) -> Principal.of(token))
                .authorizer(new Authorizer() {
                    @Override
                    public boolean mayReceive(Principal p, String topic) {
                        if ("bob".equals(p.user())) {
                            throw new IllegalStateException("authorizer bug for bob");
                        }
                        return true;
                    }

                    @Override
                    public boolean mayPublish(Principal p, String topic) {
                        return true;
                    }
                })
                .listener(errorRecorder())
                .build();
    }

    private HubListener errorRecorder() {
        return new HubListener() {
            @Override
            public void onError(String connectionId, Throwable error) {
                errors.add(connectionId + ":" + error.getMessage());
            }
        };
    }

    private TestClient subscriber(String user) {
        TestClient c = TestClient.connect(hub, Handshake.builder("127.0.0.1").query("token", user).build(),
                Framing.WEBSOCKET);
        c.send("type", "subscribe", "topics", List.of("task.*"));
        c.expect("subscribed");
        return c;
    }

    @Test
    void anAuthorizerThrowingForOneSubscriberClosesOnlyThatSubscriberSoItResumesInsteadOfMissingEventsSilently() {
        openWithAuthorizerFailingForBob();
        TestClient ann = subscriber("ann");
        TestClient bob = subscriber("bob");
        TestClient cat = subscriber("cat");

        for (int i = 1; i <= 3; i++) {
            assertThat(hub.publish("task.created", i)).isNotEmpty();
            assertThat(ann.expect("event").path("data").asInt()).isEqualTo(i);
            assertThat(cat.expect("event").path("data").asInt()).isEqualTo(i);
        }

        assertThat(bob.poll(Duration.ofMillis(100))).isNull();
        assertThat(bob.transport().closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        assertThat(errors).containsExactly(bob.id() + ":authorizer bug for bob");
        assertThat(hub.admin().connection(bob.id())).isEmpty();
        assertThat(hub.metrics().slowConsumerDisconnects()).isZero();
    }

    @Test
    void aSubscriberClosedForAnEventItMissedGetsTheEventsBeforeAndItsResumeSaysNotRecovered() {
        hub = Hub.builder().listener(errorRecorder()).authorizer(new Authorizer() {
            @Override
            public boolean mayReceive(Principal p, String topic) {
                if (topic.equals("task.bad")) {
                    throw new IllegalStateException("authorizer bug for " + topic);
                }
                return true;
            }
        }).build();
        TestClient c = TestClient.connect(hub);
        c.send("type", "subscribe", "topics", List.of("task.*"));
        c.expect("subscribed");
        String before = hub.publish("task.ok", 1);

        hub.publish("task.bad", 2);

        assertThat(c.expect("event").path("id").asText()).isEqualTo(before);
        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        TestClient again = TestClient.connect(hub);
        again.send("type", "subscribe", "ref", "r", "topics", List.of("task.*"), "since", before);
        assertThat(again.expect("subscribed").path("recovered").asBoolean()).as("the replay could not check task.bad")
                .isFalse();
    }

    @Test
    void noEventPublishedBeforeTheMissedEventsCloseReachesTheConnectionThatMissedIt() throws Exception {
        hub = Hub.builder().listener(errorRecorder()).authorizer(new Authorizer() {
            @Override
            public boolean mayReceive(Principal p, String topic) {
                if (topic.equals("task.bad") && "bob".equals(p.user())) {
                    throw new IllegalStateException("authorizer bug for bob");
                }
                return true;
            }
        }).authenticator((token, h) -> Principal.of(token)).build();
        TestClient bob = subscriber("bob");
        // ann's writer starts on the publishing thread once the publish lock is released, before bob is
        // closed: it publishes another event right then
        java.util.concurrent.atomic.AtomicReference<String> between = new java.util.concurrent.atomic.AtomicReference<>();
        RecordingTransport annWire = new RecordingTransport(Framing.WEBSOCKET);
        io.herald.spi.Transport ann = new io.herald.spi.Transport() {
            @Override
            public Framing framing() {
                return Framing.WEBSOCKET;
            }

            @Override
            public void send(List<io.herald.spi.OutboundFrame> frames, io.herald.spi.SendCallback callback) {
                annWire.send(frames, callback);
                if (frames.stream().anyMatch(f -> f.text().contains("task.bad")) && between.get() == null) {
                    between.set(hub.publish("task.ok", 2));
                }
            }

            @Override
            public void close(int code, String reason) {
                annWire.close(code, reason);
            }
        };
        io.herald.spi.ConnectionHandle annHandle = hub.gateway().open(hub.gateway().admit(
                Handshake.builder("127.0.0.1").query("token", "ann").build()), ann);
        annHandle.onText("{\"type\":\"subscribe\",\"topics\":[\"task.*\"]}");
        hub.publish("task.ok", 0);
        assertThat(bob.expect("event").path("data").asInt()).isZero();

        hub.publish("task.bad", 1);

        assertThat(between.get()).as("an event published between the miss and the close").isNotNull();
        assertThat(bob.transport().closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        assertThat(bob.poll(Duration.ofMillis(100))).as("bob gets nothing after the event he missed").isNull();
    }

    @Test
    void aClientPublishIsAnsweredPublishedWhenTheAuthorizerThrowsForOneRecipient() {
        openWithAuthorizerFailingForBob();
        TestClient ann = subscriber("ann");
        TestClient bob = subscriber("bob");
        TestClient cat = subscriber("cat");

        ann.send("type", "publish", "ref", "p1", "topic", "task.done", "data", 7);

        JsonNode answer = ann.nextMatching(f -> f.path("ref").asText().equals("p1"));
        assertThat(answer.path("type").asText()).isEqualTo("published");
        String id = answer.path("id").asText();
        assertThat(id).isNotEmpty();
        assertThat(cat.expect("event").path("id").asText()).isEqualTo(id);
        assertThat(errors).containsExactly(bob.id() + ":authorizer bug for bob");
    }

    @Test
    void anEventTheCodecCannotEncodeClosesEveryRecipientSoItResumesNotRecoveredAndIsStillAnsweredWithItsId()
            throws Exception {
        FailingOn codec = new FailingOn("task.poison");
        hub = Hub.builder().codec(codec).listener(errorRecorder()).build();
        TestClient ws = TestClient.connect(hub);
        ws.send("type", "subscribe", "topics", List.of("task.*"));
        ws.expect("subscribed");
        RecordingTransport sse = new RecordingTransport(Framing.SSE);
        String sseId = hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()), sse,
                new InitialSubscription(List.of("task.*"), null, null, List.of())).connectionId();
        TestClient other = TestClient.connect(hub);
        other.send("type", "subscribe", "topics", List.of("audit.*"));
        other.expect("subscribed");
        String before = hub.publish("task.before", 1);
        assertThat(ws.expect("event").path("id").asText()).isEqualTo(before);
        org.awaitility.Awaitility.await().until(() -> sse.frames().stream().anyMatch(f -> f.contains("id: " + before)));

        assertThat(hub.publish("task.poison", 2)).as("the event is in the log").isNotEmpty();

        assertThat(ws.transport().closed()).as("silently missing it would lose it")
                .isEqualTo(new RecordingTransport.Close(1011, "internal"));
        assertThat(sse.closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        assertThat(codec.refused()).as("asked once, however many recipients").isEqualTo(1);
        assertThat(errors).containsExactlyInAnyOrder(ws.id() + ":cannot encode task.poison",
                sseId + ":cannot encode task.poison");
        hub.publish("audit.kept", 3);
        assertThat(other.expect("event").path("topic").asText()).as("a recipient of other events is not touched")
                .isEqualTo("audit.kept");
        TestClient again = TestClient.connect(hub);
        again.send("type", "subscribe", "ref", "r", "topics", List.of("task.*"), "since", before);
        assertThat(again.expect("subscribed").path("recovered").asBoolean()).isFalse();
        hub.publish("task.after", 4);
        assertThat(again.expect("event").path("topic").asText()).isEqualTo("task.after");
    }

    @Test
    void everyRecipientSkippedIsClosedEvenWhenClosingOneFailsToTellItsRoom() {
        // a codec that can encode neither the event nor presence: closing one member tells the room, and fails
        hub = Hub.builder().codec(new FailingOn("task.poison") {
            @Override
            public byte[] encode(ServerMessage message) {
                if (message instanceof ServerMessage.Presence) {
                    throw new IllegalStateException("cannot encode presence");
                }
                return super.encode(message);
            }
        }).listener(errorRecorder()).build();
        List<TestClient> members = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestClient c = TestClient.connect(hub);
            c.send("type", "subscribe", "topics", List.of("task.*"));
            c.expect("subscribed");
            c.send("type", "join", "room", "lobby");
            members.add(c);
        }

        hub.publish("task.poison", 1);

        for (TestClient c : members) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> c.transport().closed() != null);
            assertThat(c.transport().closed()).as("closed, not left taking no frame").isEqualTo(
                    new RecordingTransport.Close(1011, "internal"));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> hub.admin().connectionCount() == 0);
        assertThat(hub.metrics().subscriptions()).isZero();
    }

    @Test
    void aConnectionWithTwoSubscriptionsForWhichTheCheckThrowsIsSkippedAndReportedOnce() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        hub = Hub.builder().listener(errorRecorder()).authorizer(new Authorizer() {
            @Override
            public boolean mayReceive(Principal p, String topic) {
                if (broken.get()) {
                    throw new IllegalStateException("authorizer bug");
                }
                return true;
            }
        }).build();
        TestClient c = TestClient.connect(hub);
        // both patterns match the event, and each asks the authorizer
        c.send("type", "subscribe", "topics", List.of("task.*", "**"));
        c.expect("subscribed");
        broken.set(true);

        hub.publish("task.done", 1);

        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        assertThat(errors).containsExactly(c.id() + ":authorizer bug");
    }

    @Test
    void anEventTheCodecCannotEncodeClosesARecipientWhoseResumeHeldIt() {
        HookedHistoryLog log = new HookedHistoryLog();
        hub = Hub.builder().codec(new FailingOn("task.poison")).historyLog(log).listener(errorRecorder()).build();
        String before = hub.publish("task.before", 1);
        TestClient c = TestClient.connect(hub);
        // published while the resume reads the history, so the hub holds it for the connection
        log.duringNextRead(() -> hub.publish("task.poison", 2));

        c.send("type", "subscribe", "ref", "r", "topics", List.of("task.*"), "since", before);

        assertThat(c.transport().closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        // (held live, and in the replay read after it was appended: reported for each)
        assertThat(errors).isNotEmpty().containsOnly(c.id() + ":cannot encode task.poison");
    }

    @Test
    void aResumeWhoseReplayCannotBeEncodedIsNotRecoveredAndLaterEventsFlow() {
        hub = Hub.builder().codec(new FailingOn("task.poison")).listener(errorRecorder()).build();
        String since = hub.publish("task.before", 1);
        hub.publish("task.poison", 2);
        TestClient c = TestClient.connect(hub);

        c.send("type", "subscribe", "ref", "r", "topics", List.of("task.*"), "since", since);

        JsonNode answer = c.expect("subscribed");
        assertThat(answer.path("ref").asText()).isEqualTo("r");
        assertThat(answer.path("recovered").asBoolean()).as("an event is missing from the replay").isFalse();
        hub.publish("task.after", 3);
        assertThat(c.expect("event").path("topic").asText()).isEqualTo("task.after");
        assertThat(errors).containsExactly(c.id() + ":cannot encode task.poison");
    }

    @Test
    void aResumeWhoseAnswerCannotBeEncodedStillLetsLaterEventsFlow() {
        hub = Hub.builder().codec(new FailingOn("task.poison") {
            @Override
            public byte[] encode(ServerMessage message) {
                if (message instanceof ServerMessage.Subscribed s && s.recovered() != null) {
                    throw new IllegalStateException("cannot encode a resume's answer");
                }
                return super.encode(message);
            }
        }).build();
        String since = hub.publish("task.before", 1);
        TestClient c = TestClient.connect(hub);

        c.send("type", "subscribe", "ref", "r", "topics", List.of("task.*"), "since", since);

        assertThat(c.expect("error").path("code").asText()).isEqualTo("INTERNAL");
        hub.publish("task.after", 2);
        assertThat(c.expect("event").path("topic").asText()).as("live events are not held for good")
                .isEqualTo("task.after");
    }

    @Test
    void anOpenThatFailsReleasesItsConnectionAndClosesItsTransport() {
        hub = Hub.builder().codec(new FailingOn("task.poison") {
            @Override
            public byte[] encode(ServerMessage message) {
                if (message instanceof ServerMessage.Connected c && c.recovered() != null) {
                    throw new IllegalStateException("cannot encode a resumed connected");
                }
                return super.encode(message);
            }
        }).build();
        String since = hub.publish("task.before", 1);
        RecordingTransport stream = new RecordingTransport(Framing.SSE);

        assertThatThrownBy(() -> hub.gateway().open(hub.gateway().admit(Handshake.builder("127.0.0.1").build()),
                stream, new InitialSubscription(List.of("task.*"), null, since, List.of())))
                .isInstanceOf(IllegalStateException.class);

        assertThat(stream.closed()).isEqualTo(new RecordingTransport.Close(1011, "internal"));
        assertThat(hub.admin().connectionCount()).isZero();
        assertThat(hub.metrics().subscriptions()).isZero();
    }

    /** The JSON codec, except that it cannot encode events of one topic. */
    private static class FailingOn implements Codec {
        private final Codec json = new JsonCodec();
        private final String topic;
        private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

        /** @return how many times an event of the topic was refused */
        int refused() {
            return refused.get();
        }

        FailingOn(String topic) {
            this.topic = topic;
        }

        @Override
        public Request decode(String text) throws ProtocolException {
            return json.decode(text);
        }

        @Override
        public Request decodeText(byte[] utf8) throws ProtocolException {
            return json.decodeText(utf8);
        }

        @Override
        public Request decode(byte[] bytes) throws ProtocolException {
            return json.decode(bytes);
        }

        @Override
        public byte[] encode(ServerMessage message) {
            if (message instanceof ServerMessage.Event e && e.event().topic().equals(topic)) {
                refused.incrementAndGet();
                throw new IllegalStateException("cannot encode " + topic);
            }
            return json.encode(message);
        }

        @Override
        public byte[] encodeBatch(List<byte[]> frames) {
            return json.encodeBatch(frames);
        }
    }
}
