package io.herald.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.ErrorCode;
import io.herald.Member;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private final JsonCodec codec = new JsonCodec();

    // ---- decoding -------------------------------------------------------------------------------

    @Test
    void authIsDecodedWithItsToken() throws Exception {
        assertThat(codec.decode("{\"type\":\"auth\",\"ref\":\"r1\",\"token\":\"t0k\"}"))
                .isEqualTo(new Request.Auth("r1", "t0k"));
    }

    @Test
    void subscribeIsDecodedWithTopicsFilterAndSince() throws Exception {
        Request r = codec.decode("{\"type\":\"subscribe\",\"ref\":\"r2\",\"topics\":[\"task.*\",\"a.**\"],"
                + "\"filter\":{\"score\":{\"gte\":80}},\"since\":\"0-42\"}");
        assertThat(r).isInstanceOf(Request.Subscribe.class);
        Request.Subscribe s = (Request.Subscribe) r;
        assertThat(s.ref()).isEqualTo("r2");
        assertThat(s.topics()).containsExactly("task.*", "a.**");
        assertThat(s.filter().toString()).isEqualTo("{\"score\":{\"gte\":80}}");
        assertThat(s.since()).isEqualTo("0-42");
        assertThat(s.type()).isEqualTo("subscribe");
    }

    @Test
    void subscribeWithoutOptionalFieldsHasNullFilterAndSince() throws Exception {
        Request.Subscribe s = (Request.Subscribe) codec.decode("{\"type\":\"subscribe\",\"topics\":[\"a\"]}");
        assertThat(s.ref()).isNull();
        assertThat(s.filter()).isNull();
        assertThat(s.since()).isNull();
    }

    @Test
    void jsonNullInAnOptionalFieldMeansAbsent() throws Exception {
        Request.Subscribe s = (Request.Subscribe) codec.decode(
                "{\"type\":\"subscribe\",\"ref\":null,\"topics\":[\"a\"],\"filter\":null,\"since\":null}");
        assertThat(s.ref()).isNull();
        assertThat(s.filter()).isNull();
        assertThat(s.since()).isNull();
        Request.Publish p = (Request.Publish) codec.decode(
                "{\"type\":\"publish\",\"topic\":\"t\",\"data\":1,\"room\":null,\"echo\":null}");
        assertThat(p.room()).isNull();
        assertThat(p.echo()).isTrue();
    }

    @Test
    void unsubscribeIsDecodedWithTopics() throws Exception {
        assertThat(codec.decode("{\"type\":\"unsubscribe\",\"ref\":\"r3\",\"topics\":[\"a.b\"]}"))
                .isEqualTo(new Request.Unsubscribe("r3", List.of("a.b")));
    }

    @Test
    void joinIsDecodedWithRoomAndMeta() throws Exception {
        Request.Join j = (Request.Join) codec.decode(
                "{\"type\":\"join\",\"ref\":\"r4\",\"room\":\"chat:general\",\"meta\":{\"name\":\"Ada\"}}");
        assertThat(j.ref()).isEqualTo("r4");
        assertThat(j.room()).isEqualTo("chat:general");
        assertThat(j.meta().get("name").textValue()).isEqualTo("Ada");
    }

    @Test
    void leaveIsDecodedWithRoom() throws Exception {
        assertThat(codec.decode("{\"room\":\"chat:general\",\"type\":\"leave\",\"ref\":\"r5\"}"))
                .isEqualTo(new Request.Leave("r5", "chat:general"));
    }

    @Test
    void publishIsDecodedWithAllFields() throws Exception {
        Request.Publish p = (Request.Publish) codec.decode("{\"type\":\"publish\",\"ref\":\"r6\",\"topic\":\"chat.msg\","
                + "\"room\":\"chat:general\",\"data\":{\"text\":\"hi\",\"n\":1.50},\"echo\":false}");
        assertThat(p.ref()).isEqualTo("r6");
        assertThat(p.topic()).isEqualTo("chat.msg");
        assertThat(p.room()).isEqualTo("chat:general");
        assertThat(p.echo()).isFalse();
        assertThat(new String(p.data(), UTF_8)).isEqualTo("{\"text\":\"hi\",\"n\":1.50}");
        assertThat(JsonCodec.readTree(p.data()).get("n").decimalValue()).isEqualTo(new BigDecimal("1.50"));
    }

    @Test
    void publishEchoesByDefaultAndAcceptsNullData() throws Exception {
        Request.Publish p = (Request.Publish) codec.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":null}");
        assertThat(p.echo()).isTrue();
        assertThat(p.room()).isNull();
        assertThat(new String(p.data(), UTF_8)).isEqualTo("null");
    }

    @Test
    void sendIsDecodedWithRouteAndDataDefaultingToJsonNull() throws Exception {
        Request.Send s = (Request.Send) codec.decode("{\"type\":\"send\",\"ref\":\"r7\",\"route\":\"orders.get\","
                + "\"data\":[1,2]}");
        assertThat(s.route()).isEqualTo("orders.get");
        assertThat(s.data().size()).isEqualTo(2);
        Request.Send noData = (Request.Send) codec.decode("{\"type\":\"send\",\"route\":\"r\"}");
        assertThat(noData.data()).isEqualTo(NullNode.getInstance());
    }

    @Test
    void pingIsDecodedWithItsRef() throws Exception {
        assertThat(codec.decode("{\"type\":\"ping\",\"ref\":\"r8\"}")).isEqualTo(new Request.Ping("r8"));
    }

    @Test
    void unknownFieldsAreIgnoredWhateverTheirType() throws Exception {
        assertThat(codec.decode("{\"x\":{\"y\":[1,{}]},\"type\":\"ping\",\"topics\":5,\"data\":{},\"z\":null}"))
                .isEqualTo(new Request.Ping(null));
    }

    @Test
    void typeMayComeLast() throws Exception {
        assertThat(codec.decode("{\"ref\":\"r\",\"token\":\"t\",\"type\":\"auth\"}"))
                .isEqualTo(new Request.Auth("r", "t"));
    }

    @Test
    void binaryMessagesDecodeLikeText() throws Exception {
        String text = "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"h\u00e9llo \ud83d\ude00\"}";
        Request fromBytes = codec.decode(text.getBytes(UTF_8));
        assertThat(fromBytes).isEqualTo(codec.decode(text));
        assertThat(JsonCodec.readTree(((Request.Publish) fromBytes).data()).textValue())
                .isEqualTo("h\u00e9llo \ud83d\ude00");
    }

    @Test
    void exactlyThirtyTwoLevelsOfNestingAreAccepted() throws Exception {
        String data = "[".repeat(31) + "]".repeat(31);
        Request.Publish p = (Request.Publish) codec.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + data + "}");
        assertThat(new String(p.data(), UTF_8)).isEqualTo(data);
        assertThatThrownBy(() -> codec.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":[" + data + "]}"))
                .isInstanceOf(ProtocolException.class).hasMessage("nesting deeper than 32");
    }

    @Test
    void refAtTheLimitIsAccepted() throws Exception {
        String ref = "r".repeat(JsonCodec.MAX_REF_LENGTH);
        assertThat(codec.decode("{\"type\":\"ping\",\"ref\":\"" + ref + "\"}").ref()).isEqualTo(ref);
    }

    // ---- ref correlation in errors ----------------------------------------------------------------

    @Test
    void errorAboutAFieldCarriesTheRefEvenWhenTheRefComesAfterIt() {
        ProtocolException e = decodeFails("{\"type\":\"subscribe\",\"topics\":[],\"ref\":\"late\"}");
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).isEqualTo("field 'topics' must be a non-empty array of strings");
        assertThat(e.ref()).isEqualTo("late");
    }

    @Test
    void unknownTypeCarriesTheRef() {
        ProtocolException e = decodeFails("{\"type\":\"shout\",\"ref\":\"r9\"}");
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.getMessage()).isEqualTo("unknown type 'shout'");
        assertThat(e.ref()).isEqualTo("r9");
    }

    @Test
    void syntaxErrorCarriesARefReadBeforeIt() {
        ProtocolException e = decodeFails("{\"ref\":\"early\",\"type\":\"ping\",");
        assertThat(e.getMessage()).startsWith("message is not valid JSON: ");
        assertThat(e.ref()).isEqualTo("early");
    }

    @Test
    void nestingErrorCarriesTheRef() {
        ProtocolException e = decodeFails("{\"ref\":\"deep\",\"type\":\"publish\",\"topic\":\"t\",\"data\":"
                + "[".repeat(40) + "]".repeat(40) + "}");
        assertThat(e.getMessage()).isEqualTo("nesting deeper than 32");
        assertThat(e.ref()).isEqualTo("deep");
    }

    @Test
    void tooLongOrNonStringRefIsNotEchoed() {
        ProtocolException tooLong = decodeFails(
                "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(JsonCodec.MAX_REF_LENGTH + 1) + "\"}");
        assertThat(tooLong.getMessage()).isEqualTo("field 'ref' must be a string of at most 128 characters");
        assertThat(tooLong.ref()).isNull();
        ProtocolException number = decodeFails("{\"type\":\"subscribe\",\"ref\":7}");
        assertThat(number.getMessage()).isEqualTo("field 'ref' must be a string of at most 128 characters");
        assertThat(number.ref()).isNull();
    }

    // ---- encoding ---------------------------------------------------------------------------------

    @Test
    void connectedIsEncodedWithOptionalFieldsOnlyWhenSet() throws Exception {
        JsonNode full = roundTrip(new ServerMessage.Connected("c1", "herald.v1", 25000, "node-a", "ada", "ctl", true));
        assertThat(names(full)).containsExactly("type", "connectionId", "protocol", "heartbeatMs", "node", "user",
                "controlToken", "recovered");
        assertThat(full.get("type").textValue()).isEqualTo("connected");
        assertThat(full.get("connectionId").textValue()).isEqualTo("c1");
        assertThat(full.get("protocol").textValue()).isEqualTo("herald.v1");
        assertThat(full.get("heartbeatMs").longValue()).isEqualTo(25000);
        assertThat(full.get("node").textValue()).isEqualTo("node-a");
        assertThat(full.get("user").textValue()).isEqualTo("ada");
        assertThat(full.get("controlToken").textValue()).isEqualTo("ctl");
        assertThat(full.get("recovered").booleanValue()).isTrue();
        JsonNode bare = roundTrip(new ServerMessage.Connected("c1", "herald.v1", 25000, "node-a", null, null, null));
        assertThat(names(bare)).containsExactly("type", "connectionId", "protocol", "heartbeatMs", "node");
    }

    @Test
    void eventCopiesTheStoredDataBytesVerbatim() {
        byte[] data = "{ \"b\" : 1.50, \"a\":[true,null] }".getBytes(UTF_8);
        byte[] frame = codec.encode(new ServerMessage.Event(new StoredEvent("0-7", "task.created", data, 1700, null, null)));
        assertThat(new String(frame, UTF_8)).isEqualTo(
                "{\"type\":\"event\",\"topic\":\"task.created\",\"id\":\"0-7\",\"data\":{ \"b\" : 1.50, \"a\":[true,null] },"
                        + "\"ts\":1700}");
    }

    @Test
    void eventThroughARoomCarriesRoomAndFrom() throws Exception {
        JsonNode e = roundTrip(new ServerMessage.Event(
                new StoredEvent("9", "chat.msg", "\"hi\"".getBytes(UTF_8), 5, "chat:general", "c2")));
        assertThat(names(e)).containsExactly("type", "topic", "id", "data", "ts", "room", "from");
        assertThat(e.get("room").textValue()).isEqualTo("chat:general");
        assertThat(e.get("from").textValue()).isEqualTo("c2");
        assertThat(e.get("data").textValue()).isEqualTo("hi");
        assertThat(e.get("ts").longValue()).isEqualTo(5);
    }

    @Test
    void eventWithLargeDataIsCopiedWhole() throws Exception {
        String big = "\"" + "x".repeat(100_000) + "\"";
        JsonNode e = roundTrip(new ServerMessage.Event(new StoredEvent("1", "t", big.getBytes(UTF_8), 1, null, null)));
        assertThat(e.get("data").textValue()).hasSize(100_000);
        assertThat(e.get("ts").longValue()).isEqualTo(1);
    }

    @Test
    void eventWithEmptyStoredDataCarriesJsonNull() throws Exception {
        JsonNode e = roundTrip(new ServerMessage.Event(new StoredEvent("1", "t", new byte[0], 1, null, null)));
        assertThat(e.get("data").isNull()).isTrue();
    }

    @Test
    void presenceIsEncodedWithTheMember() throws Exception {
        JsonNode meta = PLAIN.readTree("{\"name\":\"Ada\"}");
        JsonNode p = roundTrip(new ServerMessage.Presence("chat:general", "join", new Member("c3", "ada", meta)));
        assertThat(names(p)).containsExactly("type", "room", "action", "member");
        assertThat(p.get("action").textValue()).isEqualTo("join");
        assertThat(names(p.get("member"))).containsExactly("connectionId", "user", "meta");
        assertThat(p.get("member").get("meta")).isEqualTo(meta);
        JsonNode anon = roundTrip(new ServerMessage.Presence("r", "leave", new Member("c4", null, null)));
        assertThat(names(anon.get("member"))).containsExactly("connectionId");
    }

    @Test
    void errorCarriesRetryAfterOnlyWhenPositive() throws Exception {
        JsonNode limited = roundTrip(new ServerMessage.Error("r1", ErrorCode.RATE_LIMITED, "slow down", 1500));
        assertThat(names(limited)).containsExactly("type", "code", "message", "ref", "retryAfterMs");
        assertThat(limited.get("code").textValue()).isEqualTo("RATE_LIMITED");
        assertThat(limited.get("message").textValue()).isEqualTo("slow down");
        assertThat(limited.get("retryAfterMs").longValue()).isEqualTo(1500);
        JsonNode plain = roundTrip(new ServerMessage.Error(null, ErrorCode.BAD_REQUEST, "no", 0));
        assertThat(names(plain)).containsExactly("type", "code", "message");
    }

    @Test
    void subscribedCarriesRecoveredOnlyWhenKnown() throws Exception {
        JsonNode s = roundTrip(new ServerMessage.Subscribed("r1", List.of("a.*", "b"), false));
        assertThat(names(s)).containsExactly("type", "ref", "topics", "recovered");
        assertThat(s.get("topics").toString()).isEqualTo("[\"a.*\",\"b\"]");
        assertThat(s.get("recovered").booleanValue()).isFalse();
        assertThat(names(roundTrip(new ServerMessage.Subscribed(null, List.of("a"), null))))
                .containsExactly("type", "topics");
    }

    @Test
    void unsubscribedCarriesTheTopics() throws Exception {
        JsonNode u = roundTrip(new ServerMessage.Unsubscribed("r1", List.of("a")));
        assertThat(names(u)).containsExactly("type", "ref", "topics");
        assertThat(u.get("type").textValue()).isEqualTo("unsubscribed");
    }

    @Test
    void joinedListsEveryMember() throws Exception {
        JsonNode j = roundTrip(new ServerMessage.Joined("r1", "room", List.of(
                new Member("c1", "ada", null), new Member("c2", null, PLAIN.readTree("{\"x\":1}")))));
        assertThat(names(j)).containsExactly("type", "ref", "room", "members");
        assertThat(j.get("members").toString())
                .isEqualTo("[{\"connectionId\":\"c1\",\"user\":\"ada\"},{\"connectionId\":\"c2\",\"meta\":{\"x\":1}}]");
    }

    @Test
    void leftPublishedPongAndAuthenticatedCarryTheirOneField() throws Exception {
        JsonNode left = roundTrip(new ServerMessage.Left("r1", "room"));
        assertThat(names(left)).containsExactly("type", "ref", "room");
        JsonNode published = roundTrip(new ServerMessage.Published(null, "0-1"));
        assertThat(names(published)).containsExactly("type", "id");
        assertThat(published.get("id").textValue()).isEqualTo("0-1");
        JsonNode pong = roundTrip(new ServerMessage.Pong("p", 1234567890123L));
        assertThat(names(pong)).containsExactly("type", "ref", "ts");
        assertThat(pong.get("ts").longValue()).isEqualTo(1234567890123L);
        JsonNode auth = roundTrip(new ServerMessage.Authenticated("a", "ada"));
        assertThat(names(auth)).containsExactly("type", "ref", "user");
        assertThat(auth.get("type").textValue()).isEqualTo("authenticated");
    }

    @Test
    void replyCarriesDataAndNullWhenThereIsNone() throws Exception {
        JsonNode reply = roundTrip(new ServerMessage.Reply("r1", PLAIN.readTree("{\"ok\":true}")));
        assertThat(names(reply)).containsExactly("type", "ref", "data");
        assertThat(reply.get("data").get("ok").booleanValue()).isTrue();
        assertThat(roundTrip(new ServerMessage.Reply(null, null)).get("data").isNull()).isTrue();
    }

    @Test
    void stringsWithControlCharactersAndLoneSurrogatesEncodeToValidUtf8() throws Exception {
        String nasty = "a\u0000b\u001f\"\\\n\ud800c\udc00\ud83d\ude00\u2028";
        byte[] bytes = codec.encode(new ServerMessage.Error(nasty, ErrorCode.BAD_REQUEST, nasty, 0));
        assertThat(Utf8.isValid(bytes)).isTrue();
        JsonNode back = PLAIN.readTree(bytes);
        assertThat(back.get("message").textValue()).isEqualTo(nasty);
        assertThat(new String(bytes, UTF_8)).contains("\ud83d\ude00"); // a valid pair is written as 4 UTF-8 bytes
    }

    @Test
    void batchConcatenatesFramesWithoutReencoding() {
        byte[] a = "{\"type\":\"pong\",\"ts\":1}".getBytes(UTF_8);
        byte[] b = "{\"type\":\"event\" , \"x\":1}".getBytes(UTF_8);
        assertThat(new String(codec.encodeBatch(List.of(a, b)), UTF_8))
                .isEqualTo("{\"type\":\"batch\",\"frames\":[{\"type\":\"pong\",\"ts\":1},{\"type\":\"event\" , \"x\":1}]}");
        assertThat(new String(codec.encodeBatch(List.of()), UTF_8)).isEqualTo("{\"type\":\"batch\",\"frames\":[]}");
    }

    // ---- support ---------------------------------------------------------------------------------

    private ProtocolException decodeFails(String text) {
        try {
            Request r = codec.decode(text);
            throw new AssertionError("decoded " + r);
        } catch (ProtocolException e) {
            return e;
        }
    }

    private JsonNode roundTrip(ServerMessage message) throws IOException {
        byte[] bytes = codec.encode(message);
        assertThat(Utf8.isValid(bytes)).isTrue();
        assertThat(new String(bytes, UTF_8)).doesNotContain("\n", " :", ": ");
        return PLAIN.readTree(bytes);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void eventsAndPublishedAnswersAreTheGeneratorsBytesWhateverTheirStringsHold() {
        java.util.Random random = new java.util.Random(8);
        String[] pieces = {"a", "task.created", "node-1:42", " ", "~", "/", "\"", "\\", "\n", "\u0000", "\u001f",
            "\u007f", "é", "€", "\ud83d\ude00", "\ud800", "x y"};
        byte[][] data = {"{\"a\":1}".getBytes(UTF_8), "\"é\"".getBytes(UTF_8), "[]".getBytes(UTF_8), new byte[0],
            "null".getBytes(UTF_8)};
        long[] stamps = {0, 1, -5, 1_700_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE};
        int plainEvents = 0;
        for (int i = 0; i < 3_000; i++) {
            String topic = randomString(random, pieces);
            String id = randomString(random, pieces);
            String room = random.nextInt(3) == 0 ? null : randomString(random, pieces);
            String from = random.nextInt(3) == 0 ? null : randomString(random, pieces);
            StoredEvent e = new StoredEvent(id, topic, data[random.nextInt(data.length)],
                    stamps[random.nextInt(stamps.length)], room, from, null);
            ServerMessage event = new ServerMessage.Event(e);
            assertThat(new String(JsonMessageEncoder.encode(event), UTF_8)).as("event %s", e)
                    .isEqualTo(new String(JsonMessageEncoder.generate(event), UTF_8));
            ServerMessage published = new ServerMessage.Published(random.nextBoolean() ? null : from, id);
            assertThat(new String(JsonMessageEncoder.encode(published), UTF_8)).as("published %s", published)
                    .isEqualTo(new String(JsonMessageEncoder.generate(published), UTF_8));
            boolean plain = java.util.stream.Stream.of(topic, id, room, from)
                    .allMatch(t -> t == null || t.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\'));
            // (a negative timestamp, which only a custom history log could give, also takes the generator)
            assertThat(PlainMessages.event(e) != null).as("written directly: %s", e)
                    .isEqualTo(plain && e.timestamp() >= 0);
            if (plain) {
                plainEvents++;
            }
        }
        // both paths were compared: many messages had only plain strings, many did not
        assertThat(plainEvents).isBetween(300, 2_700);
    }

    private static String randomString(java.util.Random random, String[] pieces) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            // mostly plain pieces, so whole messages often take the direct path
            b.append(random.nextInt(4) == 0 ? pieces[random.nextInt(pieces.length)] : pieces[random.nextInt(3)]);
        }
        return b.toString();
    }
}
