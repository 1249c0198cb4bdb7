package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rooms: membership, presence, emits from server code, limits and the one-room option. */
class RoomsTest {
    private Hub hub;

    @AfterEach
    void close() {
        hub.close(Duration.ofSeconds(1));
    }

    private static TestClient joined(Hub hub, String room) {
        TestClient c = TestClient.connect(hub);
        c.send("type", "join", "room", room);
        c.expect("joined");
        return c;
    }

    @Test
    void aJoinWhoseMemberListTheQueueCouldNeverHoldIsRefusedAndChangesNothing() {
        hub = Hub.builder().outboundQueue(1_000, 8_192).maxFrameBytes(4_096).maxConnections(0, 0, 0)
                .handshakeRate(RateLimit.UNLIMITED).build();
        String meta = "m".repeat(200);
        List<TestClient> members = new ArrayList<>();
        TestClient first = TestClient.connect(hub);
        first.send("type", "join", "room", "big", "meta", Map.of("bio", meta));
        first.expect("joined");
        members.add(first);
        // each member adds about 260 bytes to the joined answer: 8 KiB hold about 30
        TestClient refused = null;
        for (int i = 0; i < 60 && refused == null; i++) {
            TestClient c = TestClient.connect(hub);
            c.send("type", "join", "room", "big", "ref", "j", "meta", Map.of("bio", meta));
            JsonNode answer = c.next();
            if (answer.path("type").asText().equals("joined")) {
                members.add(c);
                first.expect("presence");
            } else {
                refused = c;
                assertThat(answer.path("type").asText()).isEqualTo("error");
                assertThat(answer.path("code").asText()).isEqualTo("TOO_LARGE");
                assertThat(answer.path("ref").asText()).isEqualTo("j");
                assertThat(answer.path("message").asText()).contains("member list", "room 'big'");
            }
        }
        assertThat(refused).as("a joiner refused once the list outgrew the queue").isNotNull();
        assertThat(hub.admin().members("big")).hasSize(members.size());
        // nobody saw the refused joiner, which stays connected and out of the room
        refused.send("type", "ping", "ref", "p");
        assertThat(refused.expect("pong").path("ref").asText()).isEqualTo("p");
        first.send("type", "ping", "ref", "p1");
        assertThat(first.expect("pong").path("ref").asText()).as("no presence of the refused joiner").isEqualTo("p1");
        // the room is as large as a queue can take: a member asking again still gets the whole list
        first.send("type", "join", "room", "big", "ref", "again");
        JsonNode again = first.expect("joined");
        assertThat(again.path("members")).hasSize(members.size());
    }

    /** Every client asks to join the room at the same moment; returns once all have asked. */
    private static void joinAtOnce(List<TestClient> clients, String room) throws InterruptedException {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(clients.size());
        List<Thread> threads = new ArrayList<>();
        for (TestClient c : clients) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                c.send("type", "join", "room", room);
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    @Test
    void membersJoiningAFullishRoomAtTheSameMomentNeverOverfillIt() throws Exception {
        int max = 2;
        int rooms = 300;
        hub = Hub.builder().maxMembersPerRoom(max).maxRoomsPerConnection(rooms).inboundRate(RateLimit.UNLIMITED)
                .build();
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(TestClient.connect(hub));
        }
        for (int r = 0; r < rooms; r++) {
            String room = "r" + r;
            joinAtOnce(clients, room);
            int joined = 0;
            for (TestClient c : clients) {
                JsonNode answer = c.nextMatching(f -> f.path("type").asText().equals("joined")
                        || f.path("type").asText().equals("error"));
                if (answer.path("type").asText().equals("joined")) {
                    joined++;
                } else {
                    assertThat(answer.path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
                }
            }
            assertThat(joined).as("members of %s", room).isEqualTo(max);
            assertThat(hub.admin().members(room)).as("members of %s", room).hasSize(max);
        }
    }

    @Test
    void withOneRoomPerConnectionAJoinRefusedForAFullRoomLeavesTheConnectionWhereItWas() throws Exception {
        int rounds = 200;
        hub = Hub.builder().singleRoomPerConnection(true).maxMembersPerRoom(1).inboundRate(RateLimit.UNLIMITED)
                .build();
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestClient c = TestClient.connect(hub);
            c.send("type", "join", "room", "home" + i);
            c.expect("joined");
            clients.add(c);
        }
        for (int r = 0; r < rounds; r++) {
            String room = "target" + r;
            joinAtOnce(clients, room);
            for (TestClient c : clients) {
                String before = hub.admin().connection(c.id()).orElseThrow().rooms().toString();
                JsonNode answer = c.nextMatching(f -> f.path("type").asText().equals("joined")
                        || f.path("type").asText().equals("error"));
                List<String> now = List.copyOf(hub.admin().connection(c.id()).orElseThrow().rooms());
                if (answer.path("type").asText().equals("joined")) {
                    assertThat(now).containsExactly(room);
                } else {
                    assertThat(now).as("refused in round %d, rooms were %s", r, before).hasSize(1)
                            .doesNotContain(room);
                }
            }
        }
    }

    @Test
    void aJoinWhoseMetaIsOverTheLimitIsRefusedAndChangesNothing() {
        hub = Hub.builder().maxMemberMetaBytes(32).build();
        TestClient member = joined(hub, "lobby");
        TestClient big = TestClient.connect(hub);

        big.send("type", "join", "ref", "j", "room", "lobby", "meta", java.util.Map.of("name", "x".repeat(40)));

        JsonNode error = big.expect("error");
        assertThat(error.path("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(error.path("ref").asText()).isEqualTo("j");
        assertThat(error.path("message").asText()).contains("exceeds the limit of 32 bytes");
        assertThat(hub.admin().members("lobby")).hasSize(1);
        big.send("type", "join", "ref", "k", "room", "lobby", "meta", java.util.Map.of("name", "Ann"));
        assertThat(big.expect("joined").path("members")).hasSize(2);
        assertThat(member.expect("presence").path("member").path("meta").path("name").asText()).isEqualTo("Ann");
    }

    @Test
    void serverEmitReachesEveryMemberExceptTheOneLeftOut() {
        hub = Hub.builder().build();
        TestClient a = joined(hub, "game:lobby:1");
        TestClient b = joined(hub, "game:lobby:1");
        a.expect("presence");
        TestClient outsider = TestClient.connect(hub);
        hub.emit("game:lobby:1", "game.move", 42, b.id());
        JsonNode e = a.expect("event");
        assertThat(e.path("room").asText()).isEqualTo("game:lobby:1");
        assertThat(e.has("from")).isFalse();
        assertThat(b.poll(Duration.ofMillis(100))).isNull();
        assertThat(outsider.poll(Duration.ofMillis(10))).isNull();
    }

    @Test
    void disconnectingMemberLeavesWithPresenceAndEmptyRoomsDisappear() {
        hub = Hub.builder().build();
        TestClient a = joined(hub, "r");
        TestClient b = joined(hub, "r");
        a.expect("presence");
        b.close();
        assertThat(a.expect("presence").path("action").asText()).isEqualTo("leave");
        a.close();
        assertThat(hub.admin().rooms()).isEmpty();
        assertThat(hub.metrics().rooms()).isZero();
    }

    @Test
    void inALargeRoomEveryMemberSeesEveryLaterJoinOnceInOrderThenTheRoomsEvent() {
        // past 64 members, presence frames are handed to the fan-out threads while still being queued
        hub = Hub.builder().handshakeRate(RateLimit.UNLIMITED).fanoutThreads(2).build();
        List<TestClient> members = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            members.add(joined(hub, "big"));
        }
        hub.emit("big", "big.done", 1, null);
        for (int i = 0; i < members.size(); i++) {
            TestClient m = members.get(i);
            for (int later = i + 1; later < members.size(); later++) {
                JsonNode p = m.expect("presence");
                assertThat(p.path("action").asText()).isEqualTo("join");
                assertThat(p.path("member").path("connectionId").asText()).as("member %d's presence %d", i, later)
                        .isEqualTo(members.get(later).id());
            }
            assertThat(m.expect("event").path("topic").asText()).isEqualTo("big.done");
        }
    }

    @Test
    void withOneRoomPerConnectionJoiningMovesTheConnection() {
        hub = Hub.builder().singleRoomPerConnection(true).build();
        TestClient watcher = joined(hub, "first");
        TestClient mover = joined(hub, "first");
        watcher.expect("presence");
        mover.send("type", "join", "room", "second");
        mover.expect("joined");
        assertThat(watcher.expect("presence").path("action").asText()).isEqualTo("leave");
        assertThat(hub.admin().connection(mover.id()).orElseThrow().rooms()).containsExactly("second");
    }

    @Test
    void roomAndMemberLimitsAreEnforced() {
        hub = Hub.builder().maxRoomsPerConnection(1).maxMembersPerRoom(1).build();
        TestClient a = joined(hub, "one");
        a.send("type", "join", "room", "two");
        assertThat(a.expect("error").path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
        TestClient b = TestClient.connect(hub);
        b.send("type", "join", "room", "one");
        assertThat(b.expect("error").path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(hub.admin().members("one")).hasSize(1);
    }

    @Test
    void joiningTwiceIsIdempotentAndPublishingOutsideARoomIsForbidden() {
        hub = Hub.builder().build();
        TestClient a = joined(hub, "r");
        a.send("type", "join", "room", "r");
        assertThat(a.expect("joined").path("members")).hasSize(1);
        a.send("type", "publish", "room", "elsewhere", "topic", "x", "data", 1);
        assertThat(a.expect("error").path("code").asText()).isEqualTo("FORBIDDEN");
        a.send("type", "join", "room", "bad room");
        assertThat(a.expect("error").path("code").asText()).isEqualTo("INVALID_TOPIC");
    }
}
