package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server-side frame parser against RFC 6455: masked client frames split anywhere, fragmented messages with
 * control frames between their fragments, the message limit, and everything a server must refuse.
 */
class FrameReaderTest {
    private static final int FIN = 0x80;
    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final int LARGE = 1 << 20;

    private final Random random = new Random(6455);

    @Test
    void aMaskedTextFrameIsOneTextMessage() {
        Recorder sink = new Recorder();
        assertThat(read(new FrameReader(LARGE), frame(FIN | TEXT, utf8("Hello")), sink)).isTrue();
        assertThat(sink.events).containsExactly("text Hello");
    }

    @Test
    void aMaskedBinaryFrameIsOneBinaryMessage() {
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        Recorder sink = new Recorder();
        assertThat(read(new FrameReader(LARGE), frame(FIN | BINARY, payload), sink)).isTrue();
        assertThat(sink.events).containsExactly("binary " + hex(payload));
        assertThat(sink.payloads.get(0)).isEqualTo(payload);
    }

    @Test
    void aFrameWithA16BitLengthIsOneMessage() {
        for (int length : new int[] {126, 127, 1_000, 65_535}) {
            byte[] payload = randomBytes(length);
            byte[] frame = frame(FIN | BINARY, payload);
            assertThat(frame[1] & 0x7F).isEqualTo(126);
            Recorder sink = new Recorder();
            assertThat(read(new FrameReader(LARGE), frame, sink)).isTrue();
            assertThat(sink.payloads).singleElement().isEqualTo(payload);
        }
    }

    @Test
    void aFrameWithA64BitLengthIsOneMessage() {
        for (int length : new int[] {65_536, 70_000}) {
            byte[] payload = randomBytes(length);
            byte[] frame = frame(FIN | BINARY, payload);
            assertThat(frame[1] & 0x7F).isEqualTo(127);
            Recorder sink = new Recorder();
            assertThat(read(new FrameReader(100_000), frame, sink)).isTrue();
            assertThat(sink.payloads).singleElement().isEqualTo(payload);
            assertThat(sink.events).containsExactly("binary(" + length + ")");
        }
    }

    @Test
    void aMaskedTextFrameSplitAtEveryByteIsOneMessage() {
        String text = "Grüße, 世界! 😀 " + "x".repeat(150);
        byte[] frame = frame(FIN | TEXT, utf8(text));
        FrameReader reader = new FrameReader(LARGE);
        Recorder sink = new Recorder();
        for (int i = 0; i < frame.length; i++) {
            assertThat(reader.read(frame, i, 1, sink)).isTrue();
            if (i < frame.length - 1) {
                assertThat(sink.events).isEmpty();
            }
        }
        assertThat(sink.events).containsExactly("text " + text);
    }

    @Test
    void framesOfEveryLengthEncodingSplitAtEveryByteAreOneMessageEach() {
        for (int length : new int[] {0, 1, 125, 126, 65_535, 65_536, 70_000}) {
            byte[] payload = randomBytes(length);
            byte[] frame = frame(FIN | BINARY, payload);
            FrameReader reader = new FrameReader(100_000);
            Recorder sink = new Recorder();
            for (int i = 0; i < frame.length; i++) {
                assertThat(reader.read(frame, i, 1, sink)).isTrue();
            }
            assertThat(sink.payloads).as("length %d", length).singleElement().isEqualTo(payload);
            assertThat(sink.events).containsExactly(Recorder.describe(false, payload));
        }
    }

    @Test
    void twoFramesCutInTwoAnywhereGiveTheSameMessages() {
        byte[] first = randomBytes(126);
        byte[] stream = concat(frame(TEXT, utf8("héllo ")), frame(FIN | PING, utf8("are you there")),
                frame(FIN | CONTINUATION, utf8("wörld")), frame(FIN | BINARY, first));
        for (int cut = 0; cut <= stream.length; cut++) {
            FrameReader reader = new FrameReader(LARGE);
            Recorder sink = new Recorder();
            assertThat(reader.read(stream, 0, cut, sink)).isTrue();
            assertThat(reader.read(stream, cut, stream.length - cut, sink)).isTrue();
            assertThat(sink.eventsIgnoringMore()).as("cut at %d", cut)
                    .containsExactly("ping " + hex(utf8("are you there")), "text héllo wörld",
                            "binary " + hex(first));
        }
    }

    @Test
    void aStreamReadInRandomChunksGivesItsMessagesWithMoreExactlyWhenTheReadHoldsBytesAfterThem() {
        for (int round = 0; round < 300; round++) {
            Stream stream = randomStream(1 + random.nextInt(12));
            byte[] bytes = stream.bytes();
            Set<Integer> chunkEnds = new HashSet<>();
            FrameReader reader = new FrameReader(LARGE);
            Recorder sink = new Recorder();
            int pos = 0;
            while (pos < bytes.length) {
                int size = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1 + random.nextInt(400);
                int n = Math.min(bytes.length - pos, size);
                assertThat(reader.read(bytes, pos, n, sink)).isTrue();
                pos += n;
                chunkEnds.add(pos);
            }
            assertThat(sink.events).as("round %d", round).containsExactlyElementsOf(stream.expected(chunkEnds));
        }
    }

    @Test
    void aStreamReadWholeOrByteByByteGivesTheSameMessages() {
        for (int round = 0; round < 50; round++) {
            Stream stream = randomStream(1 + random.nextInt(8));
            byte[] bytes = stream.bytes();

            Recorder whole = new Recorder();
            assertThat(read(new FrameReader(LARGE), bytes, whole)).isTrue();
            assertThat(whole.events).containsExactlyElementsOf(stream.expected(Set.of(bytes.length)));

            Recorder byByte = new Recorder();
            FrameReader reader = new FrameReader(LARGE);
            for (int i = 0; i < bytes.length; i++) {
                assertThat(reader.read(bytes, i, 1, byByte)).isTrue();
            }
            assertThat(byByte.events).containsExactlyElementsOf(stream.expected(everyOffset(bytes.length)));
        }
    }

    @Test
    void severalFramesInOneReadMarkEveryMessageButTheLastAsHavingMore() {
        Recorder sink = new Recorder();
        byte[] chunk = concat(frame(FIN | TEXT, utf8("a")), frame(FIN | BINARY, new byte[] {1, 2}),
                frame(FIN | TEXT, utf8("c")));
        assertThat(read(new FrameReader(LARGE), chunk, sink)).isTrue();
        assertThat(sink.events).containsExactly("text a +more", "binary 0102 +more", "text c");
    }

    @Test
    void aMessageFollowedByAControlFrameOrAPartialHeaderInTheSameReadHasMore() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        byte[] next = frame(FIN | TEXT, utf8("second"));
        byte[] chunk = concat(frame(FIN | TEXT, utf8("first")), frame(FIN | PONG, new byte[0]),
                frame(FIN | TEXT, utf8("x")), Arrays.copyOf(next, 1));
        assertThat(read(reader, chunk, sink)).isTrue();
        assertThat(reader.read(next, 1, next.length - 1, sink)).isTrue();
        assertThat(sink.events).containsExactly("text first +more", "pong", "text x +more", "text second");
    }

    @Test
    void onlyTheBytesInTheGivenRangeAreRead() {
        byte[] frames = concat(frame(FIN | TEXT, utf8("in range")), frame(FIN | TEXT, utf8("too")));
        byte[] buf = new byte[frames.length + 20];
        Arrays.fill(buf, (byte) 0xFF);
        System.arraycopy(frames, 0, buf, 7, frames.length);
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        assertThat(reader.read(buf, 7, 0, sink)).isTrue();
        assertThat(reader.read(buf, 7, frames.length, sink)).isTrue();
        assertThat(sink.events).containsExactly("text in range +more", "text too");
    }

    @Test
    void theSinkMayKeepEveryPayloadItIsGiven() {
        byte[] first = randomBytes(300);
        byte[] second = randomBytes(300);
        byte[] ping = randomBytes(100);
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        read(reader, concat(frame(FIN | BINARY, first), frame(FIN | PING, ping)), sink);
        read(reader, concat(frame(BINARY, second), frame(FIN | PING, randomBytes(100)),
                frame(FIN | CONTINUATION, randomBytes(50)), frame(FIN | BINARY, randomBytes(300))), sink);
        assertThat(sink.payloads.get(0)).isEqualTo(first);
        assertThat(sink.pings.get(0)).isEqualTo(ping);
        assertThat(sink.payloads.get(1)).startsWith(second);
    }

    @Test
    void aFragmentedTextMessageComesOutWholeAtItsLastFragment() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        assertThat(read(reader, frame(TEXT, utf8("Hel")), sink)).isTrue();
        assertThat(read(reader, frame(CONTINUATION, utf8("lo, ")), sink)).isTrue();
        assertThat(sink.events).isEmpty();
        assertThat(read(reader, frame(FIN | CONTINUATION, utf8("world")), sink)).isTrue();
        assertThat(sink.events).containsExactly("text Hello, world");
    }

    @Test
    void aTextMessageMayHaveItsCharactersSplitBetweenFragments() {
        byte[] text = utf8("€😀");
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        read(reader, concat(frame(TEXT, Arrays.copyOfRange(text, 0, 1)),
                frame(CONTINUATION, Arrays.copyOfRange(text, 1, 5)),
                frame(FIN | CONTINUATION, Arrays.copyOfRange(text, 5, text.length))), sink);
        assertThat(sink.events).containsExactly("text €😀");
    }

    @Test
    void aFragmentedBinaryMessageComesOutWholeAtItsLastFragment() {
        byte[] payload = randomBytes(5_000);
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        for (int from = 0; from < payload.length; from += 700) {
            int to = Math.min(payload.length, from + 700);
            int b0 = (from == 0 ? BINARY : CONTINUATION) | (to == payload.length ? FIN : 0);
            assertThat(read(reader, frame(b0, Arrays.copyOfRange(payload, from, to)), sink)).isTrue();
        }
        assertThat(sink.payloads).singleElement().isEqualTo(payload);
        assertThat(sink.events).containsExactly("binary(5000)");
    }

    @Test
    void pingsAndPongsBetweenFragmentsAreReportedAtOnceAndTheMessageAfterItsLastFragment() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        read(reader, frame(TEXT, utf8("one ")), sink);
        read(reader, frame(FIN | PING, utf8("p1")), sink);
        assertThat(sink.events).containsExactly("ping " + hex(utf8("p1")));
        read(reader, concat(frame(CONTINUATION, utf8("two ")), frame(FIN | PONG, utf8("p2"))), sink);
        read(reader, concat(frame(FIN | PING, new byte[0]), frame(FIN | CONTINUATION, utf8("three"))), sink);
        assertThat(sink.events).containsExactly("ping " + hex(utf8("p1")), "pong", "ping ", "text one two three");
    }

    @Test
    void emptyFramesAreEmptyMessagesAndEmptyFragmentsAddNothing() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        byte[] chunk = concat(frame(FIN | TEXT, new byte[0]), frame(FIN | BINARY, new byte[0]),
                frame(TEXT, new byte[0]), frame(CONTINUATION, utf8("ab")), frame(CONTINUATION, new byte[0]),
                frame(FIN | CONTINUATION, new byte[0]), frame(BINARY, new byte[0]),
                frame(FIN | CONTINUATION, new byte[0]), frame(FIN | PING, new byte[0]), frame(FIN | PONG, new byte[0]));
        assertThat(read(reader, chunk, sink)).isTrue();
        assertThat(sink.events).containsExactly("text  +more", "binary  +more", "text ab +more", "binary  +more",
                "ping ", "pong");
        assertThat(sink.pings).singleElement().satisfies(p -> assertThat(p).isEmpty());
    }

    @Test
    void aFrameOverTheLimitIsRefusedFromItsHeaderAloneWhateverItsLengthEncoding() {
        for (long length : new long[] {101, 126, 65_535, 65_536, 1L << 40, Long.MAX_VALUE}) {
            for (int opcode : new int[] {TEXT, BINARY}) {
                Recorder sink = new Recorder();
                FrameReader reader = new FrameReader(100);
                assertThat(read(reader, header(FIN | opcode, length), sink)).as("length %d", length).isFalse();
                assertThat(sink.events).containsExactly("error 1009 too-large");
                assertNothingMoreIsRead(reader, sink);
            }
        }
    }

    @Test
    void roomForAMessageGrowsWithItsBytesNotWithTheLengthItsHeaderClaims() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(1_000_000);
        byte[] payload = randomAscii(900_000);
        byte[] f = frame(FIN | TEXT, payload);
        // the 14-byte header and 10,000 bytes of payload
        assertThat(read(reader, Arrays.copyOf(f, 14 + 10_000), sink)).isTrue();
        assertThat(reader.capacity()).isBetween(10_000, 20_000);
        assertThat(read(reader, Arrays.copyOfRange(f, 14 + 10_000, f.length), sink)).isTrue();
        assertThat(sink.events).containsExactly(Recorder.describe(true, payload));
        assertThat(reader.capacity()).isZero();
    }

    @Test
    void aFirstFragmentOverTheLimitIsRefusedFromItsHeaderAlone() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(100);
        assertThat(read(reader, header(TEXT, 101), sink)).isFalse();
        assertThat(sink.events).containsExactly("error 1009 too-large");
    }

    @Test
    void fragmentsTogetherOverTheLimitAreRefusedFromTheHeaderOfTheOneThatPassesIt() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(100);
        assertThat(read(reader, concat(frame(TEXT, randomAscii(60)), frame(FIN | PING, utf8("hi")),
                frame(CONTINUATION, randomAscii(40))), sink)).isTrue();
        assertThat(read(reader, header(FIN | CONTINUATION, 1), sink)).isFalse();
        assertThat(sink.events).containsExactly("ping " + hex(utf8("hi")), "error 1009 too-large");
        assertNothingMoreIsRead(reader, sink);
    }

    @Test
    void manySmallFragmentsOverTheLimitAreRefused() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(1_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(BINARY, randomBytes(10)));
        for (int i = 0; i < 200; i++) {
            out.writeBytes(frame(CONTINUATION, randomBytes(10)));
        }
        assertThat(read(reader, out.toByteArray(), sink)).isFalse();
        assertThat(sink.events).containsExactly("error 1009 too-large");
    }

    @Test
    void aMessageExactlyAtTheLimitIsAccepted() {
        byte[] whole = randomBytes(100);
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(100);
        assertThat(read(reader, frame(FIN | BINARY, whole), sink)).isTrue();
        assertThat(read(reader, concat(frame(BINARY, Arrays.copyOfRange(whole, 0, 1)),
                frame(CONTINUATION, Arrays.copyOfRange(whole, 1, 40)), frame(FIN | PING, randomBytes(125)),
                frame(FIN | CONTINUATION, Arrays.copyOfRange(whole, 40, 100))), sink)).isTrue();
        byte[] text = randomAscii(100);
        assertThat(read(reader, concat(frame(TEXT, Arrays.copyOfRange(text, 0, 99)),
                frame(FIN | CONTINUATION, Arrays.copyOfRange(text, 99, 100))), sink)).isTrue();
        assertThat(sink.payloads).containsExactly(whole, whole, text);
    }

    @Test
    void theLimitIsPerMessage() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(100);
        for (int i = 0; i < 5; i++) {
            byte[] message = concat(frame(TEXT, randomAscii(50)), frame(FIN | CONTINUATION, randomAscii(50)));
            assertThat(read(reader, message, sink)).isTrue();
        }
        assertThat(sink.payloads).hasSize(5);
    }

    @Test
    void anUnmaskedFrameIsAProtocolError() {
        assertProtocolError(unmaskedFrame(FIN | TEXT, utf8("hi")));
        assertProtocolError(unmaskedFrame(FIN | PING, new byte[0]));
        assertProtocolError(unmaskedFrame(FIN | CONTINUATION, utf8("b")), frame(TEXT, utf8("a")), LARGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x20, 0x10, 0x70})
    void aFrameWithAReservedBitSetIsAProtocolError(int rsv) {
        assertProtocolError(frame(FIN | rsv | TEXT, utf8("compressed?")));
        assertProtocolError(frame(FIN | rsv | PING, new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void aReservedOpcodeIsAProtocolError(int opcode) {
        assertProtocolError(frame(FIN | opcode, utf8("x")));
        assertProtocolError(frame(FIN | opcode, new byte[0]));
        assertProtocolError(frame(opcode, utf8("x")));
    }

    @ParameterizedTest
    @ValueSource(ints = {CLOSE, PING, PONG})
    void aFragmentedControlFrameIsAProtocolError(int opcode) {
        assertProtocolError(frame(opcode, new byte[] {3, (byte) 0xE8}));
        assertProtocolError(frame(opcode, new byte[0]), frame(TEXT, utf8("a")), LARGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {CLOSE, PING, PONG})
    void aControlFrameOver125BytesIsAProtocolError(int opcode) {
        byte[] payload = randomAscii(126);
        payload[0] = 3;
        payload[1] = (byte) 0xE8;
        assertProtocolError(frame(FIN | opcode, payload));
        assertProtocolError(header(FIN | opcode, 126));
        assertProtocolError(header64(FIN | opcode, 70_000));
    }

    @Test
    void aPingOf125BytesIsDeliveredUnmasked() {
        byte[] payload = randomBytes(125);
        byte[] frame = frame(FIN | PING, payload);
        Recorder whole = new Recorder();
        assertThat(read(new FrameReader(10), frame, whole)).isTrue();
        assertThat(whole.events).containsExactly("ping " + hex(payload));
        assertThat(whole.pings).singleElement().isEqualTo(payload);

        Recorder byByte = new Recorder();
        FrameReader reader = new FrameReader(10);
        for (int i = 0; i < frame.length; i++) {
            assertThat(reader.read(frame, i, 1, byByte)).isTrue();
        }
        assertThat(byByte.pings).singleElement().isEqualTo(payload);
    }

    @Test
    void aPongIsReportedAndReadingGoesOn() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        assertThat(read(reader, frame(FIN | PONG, utf8("unsolicited")), sink)).isTrue();
        assertThat(read(reader, frame(FIN | TEXT, utf8("after")), sink)).isTrue();
        assertThat(sink.events).containsExactly("pong", "text after");
    }

    @Test
    void aContinuationWithNoMessageStartedIsAProtocolError() {
        assertProtocolError(frame(FIN | CONTINUATION, utf8("x")));
        assertProtocolError(frame(CONTINUATION, utf8("x")));
        assertProtocolError(frame(FIN | CONTINUATION, new byte[0]));
        assertProtocolError(frame(FIN | CONTINUATION, utf8("x")), frame(FIN | TEXT, utf8("done")), LARGE);
        assertProtocolError(frame(CONTINUATION, utf8("c")),
                concat(frame(TEXT, utf8("a")), frame(FIN | CONTINUATION, utf8("b"))), LARGE);
    }

    @Test
    void aNewMessageWhileAFragmentedOneIsOpenIsAProtocolError() {
        assertProtocolError(frame(FIN | TEXT, utf8("b")), frame(TEXT, utf8("a")), LARGE);
        assertProtocolError(frame(BINARY, utf8("b")), frame(TEXT, utf8("a")), LARGE);
        assertProtocolError(frame(FIN | BINARY, new byte[0]),
                concat(frame(BINARY, utf8("a")), frame(FIN | PING, new byte[0])), LARGE);
    }

    @Test
    void a64BitLengthWithItsTopBitSetIsAProtocolError() {
        assertProtocolError(header64(FIN | BINARY, Long.MIN_VALUE), Integer.MAX_VALUE);
        assertProtocolError(header64(FIN | TEXT, -1L), Integer.MAX_VALUE);
        assertProtocolError(header64(CONTINUATION, Long.MIN_VALUE | 1), frame(TEXT, utf8("a")), Integer.MAX_VALUE);
    }

    @Test
    void framesBeforeAProtocolErrorAreReportedAndNothingAfterIt() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        byte[] chunk = concat(frame(FIN | TEXT, utf8("before")), frame(FIN | 0x3, new byte[0]),
                frame(FIN | TEXT, utf8("after")), frame(FIN | CLOSE, closePayload(1000, "bye")));
        assertThat(read(reader, chunk, sink)).isFalse();
        assertThat(sink.events).hasSize(2);
        assertThat(sink.events.get(0)).isEqualTo("text before +more");
        assertThat(sink.events.get(1)).startsWith("error 1002 ");
        assertNothingMoreIsRead(reader, sink);
    }

    @Test
    void anEmptyCloseFrameReportsNoStatusCode() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        assertThat(read(reader, frame(FIN | CLOSE, new byte[0]), sink)).isFalse();
        assertThat(sink.events).containsExactly("close 1005 ");
        assertNothingMoreIsRead(reader, sink);
    }

    @Test
    void aCloseFrameReportsItsCodeAndReason() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        assertThat(read(reader, frame(FIN | CLOSE, closePayload(1000, "bye")), sink)).isFalse();
        assertThat(sink.events).containsExactly("close 1000 bye");
    }

    @Test
    void aCloseFrameWithACodeAndNoReasonReportsAnEmptyReason() {
        Recorder sink = new Recorder();
        assertThat(read(new FrameReader(LARGE), frame(FIN | CLOSE, closePayload(1001, "")), sink)).isFalse();
        assertThat(sink.events).containsExactly("close 1001 ");
    }

    @Test
    void aCloseFrameSplitAtEveryByteWithAMultiByteReasonIsReportedOnce() {
        String reason = "adiós € 😀 " + "z".repeat(100);
        byte[] payload = closePayload(4321, reason);
        assertThat(payload.length).isLessThanOrEqualTo(125);
        byte[] frame = frame(FIN | CLOSE, payload);
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        for (int i = 0; i < frame.length - 1; i++) {
            assertThat(reader.read(frame, i, 1, sink)).isTrue();
        }
        assertThat(reader.read(frame, frame.length - 1, 1, sink)).isFalse();
        assertThat(sink.events).containsExactly("close 4321 " + reason);
    }

    @Test
    void aOneByteClosePayloadIsAProtocolError() {
        assertProtocolError(frame(FIN | CLOSE, new byte[] {3}));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65_535})
    void aCloseCodeNoEndpointMaySendIsAProtocolError(int code) {
        assertProtocolError(frame(FIN | CLOSE, closePayload(code, "")));
        assertProtocolError(frame(FIN | CLOSE, closePayload(code, "why")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000,
        4999})
    void aCloseCodeAnEndpointMaySendIsReported(int code) {
        Recorder sink = new Recorder();
        assertThat(read(new FrameReader(LARGE), frame(FIN | CLOSE, closePayload(code, "r")), sink)).isFalse();
        assertThat(sink.events).containsExactly("close " + code + " r");
    }

    @Test
    void aCloseReasonThatIsNotUtf8IsInvalidPayloadData() {
        byte[][] invalid = {
            {(byte) 0xFF},
            {'o', 'k', (byte) 0xC3},
            {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xC0, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0x80},
        };
        for (byte[] reason : invalid) {
            byte[] payload = concat(new byte[] {3, (byte) 0xE8}, reason);
            Recorder sink = new Recorder();
            FrameReader reader = new FrameReader(LARGE);
            assertThat(read(reader, frame(FIN | CLOSE, payload), sink)).as(hex(reason)).isFalse();
            assertThat(sink.events).as(hex(reason)).singleElement().asString().startsWith("error 1007 ");
            assertNothingMoreIsRead(reader, sink);
        }
    }

    @Test
    void nothingAfterACloseFrameIsRead() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        byte[] chunk = concat(frame(FIN | TEXT, utf8("last")), frame(FIN | CLOSE, closePayload(1000, "bye")),
                frame(FIN | TEXT, utf8("ignored")), frame(FIN | PING, new byte[0]),
                unmaskedFrame(FIN | TEXT, new byte[0]));
        assertThat(read(reader, chunk, sink)).isFalse();
        assertThat(sink.events).containsExactly("text last +more", "close 1000 bye");
        assertNothingMoreIsRead(reader, sink);
    }

    @Test
    void aCloseFrameBetweenFragmentsEndsTheReadingWithoutTheOpenMessage() {
        Recorder sink = new Recorder();
        FrameReader reader = new FrameReader(LARGE);
        byte[] chunk = concat(frame(TEXT, utf8("half")), frame(FIN | CLOSE, closePayload(1001, "going")));
        assertThat(read(reader, chunk, sink)).isFalse();
        assertThat(sink.events).containsExactly("close 1001 going");
        assertNothingMoreIsRead(reader, sink);
    }

    private static boolean read(FrameReader reader, byte[] bytes, Recorder sink) {
        return reader.read(bytes, 0, bytes.length, sink);
    }

    private void assertProtocolError(byte[] bytes) {
        assertProtocolError(bytes, LARGE);
    }

    private void assertProtocolError(byte[] bytes, int maxMessage) {
        assertProtocolError(bytes, new byte[0], maxMessage);
    }

    /**
     * Reads {@code before} (valid frames), then {@code bytes}, whole and again byte by byte: what {@code before}
     * holds is reported, then one 1002 error by the end of {@code bytes}, and nothing after.
     */
    private void assertProtocolError(byte[] bytes, byte[] before, int maxMessage) {
        byte[] all = concat(before, bytes);
        Recorder beforeOnly = new Recorder();
        assertThat(read(new FrameReader(maxMessage), before, beforeOnly)).isTrue();

        Recorder whole = new Recorder();
        FrameReader reader = new FrameReader(maxMessage);
        assertThat(read(reader, all, whole)).as(hex(all)).isFalse();
        List<String> events = whole.eventsIgnoringMore();
        assertThat(events).as(hex(all)).hasSize(beforeOnly.events.size() + 1);
        assertThat(events.subList(0, beforeOnly.events.size())).isEqualTo(beforeOnly.eventsIgnoringMore());
        assertThat(events.get(events.size() - 1)).as(hex(all)).startsWith("error 1002 ");
        assertNothingMoreIsRead(reader, whole);

        Recorder byByte = new Recorder();
        FrameReader again = new FrameReader(maxMessage);
        boolean open = true;
        for (int i = 0; i < all.length && open; i++) {
            open = again.read(all, i, 1, byByte);
        }
        assertThat(open).as(hex(all)).isFalse();
        assertThat(byByte.events).as(hex(all)).isEqualTo(whole.eventsIgnoringMore());
    }

    private void assertNothingMoreIsRead(FrameReader reader, Recorder sink) {
        List<String> before = List.copyOf(sink.events);
        assertThat(read(reader, frame(FIN | TEXT, utf8("more")), sink)).isFalse();
        assertThat(read(reader, frame(FIN | PING, utf8("more")), sink)).isFalse();
        assertThat(read(reader, frame(FIN | CLOSE, new byte[0]), sink)).isFalse();
        assertThat(reader.read(new byte[0], 0, 0, sink)).isFalse();
        assertThat(sink.events).isEqualTo(before);
    }

    /** A client frame: masked with a fresh random key, its length in the fewest bytes. */
    private byte[] frame(int b0, byte[] payload) {
        byte[] key = randomBytes(4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        writeLength(out, 0x80, payload.length, payload.length > 0xFFFF ? 8 : payload.length > 125 ? 2 : 0);
        out.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ key[i & 3]);
        }
        return out.toByteArray();
    }

    private static byte[] unmaskedFrame(int b0, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        writeLength(out, 0, payload.length, payload.length > 125 ? 2 : 0);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A masked frame's header alone, its length in the fewest bytes. */
    private byte[] header(int b0, long length) {
        return header(b0, length, length > 0xFFFF ? 8 : length > 125 ? 2 : 0);
    }

    /** A masked frame's header alone, its length in 8 bytes. */
    private byte[] header64(int b0, long length) {
        return header(b0, length, 8);
    }

    private byte[] header(int b0, long length, int lengthBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        writeLength(out, 0x80, length, lengthBytes);
        out.writeBytes(randomBytes(4));
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int maskBit, long length, int lengthBytes) {
        if (lengthBytes == 0) {
            out.write(maskBit | (int) length);
            return;
        }
        out.write(maskBit | (lengthBytes == 2 ? 126 : 127));
        for (int i = lengthBytes - 1; i >= 0; i--) {
            out.write((int) (length >>> (8 * i)));
        }
    }

    private static byte[] closePayload(int code, String reason) {
        return concat(new byte[] {(byte) (code >> 8), (byte) code}, utf8(reason));
    }

    /** Random messages, some in fragments with pings and pongs between them, and the events they must give. */
    private Stream randomStream(int messages) {
        Stream stream = new Stream();
        for (int m = 0; m < messages; m++) {
            boolean text = random.nextBoolean();
            byte[] payload = text
                    ? utf8(randomText(random.nextInt(200)))
                    : randomBytes(random.nextInt(random.nextInt(10) == 0 ? 70_000 : 300));
            int fragments = random.nextInt(3) == 0 ? 1 + random.nextInt(5) : 1;
            int from = 0;
            for (int f = 0; f < fragments; f++) {
                int to = f == fragments - 1 ? payload.length : from + random.nextInt(payload.length - from + 1);
                boolean last = f == fragments - 1;
                int b0 = (f == 0 ? (text ? TEXT : BINARY) : CONTINUATION) | (last ? FIN : 0);
                stream.add(frame(b0, Arrays.copyOfRange(payload, from, to)),
                        last ? Recorder.describe(text, payload) : null, last);
                from = to;
                if (!last && random.nextInt(3) == 0) {
                    addControl(stream);
                }
            }
            if (random.nextInt(4) == 0) {
                addControl(stream);
            }
        }
        return stream;
    }

    private void addControl(Stream stream) {
        byte[] payload = randomBytes(random.nextInt(126));
        if (random.nextBoolean()) {
            stream.add(frame(FIN | PING, payload), "ping " + hex(payload), false);
        } else {
            stream.add(frame(FIN | PONG, payload), "pong", false);
        }
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private String randomText(int n) {
        String[] pieces = {"a", "é", "€", "😀"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(pieces[random.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    private byte[] randomAscii(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        return bytes;
    }

    private static Set<Integer> everyOffset(int length) {
        Set<Integer> offsets = new HashSet<>();
        for (int i = 0; i <= length; i++) {
            offsets.add(i);
        }
        return offsets;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Frames in a row, each with the event it ends with (if any) and whether that event is a message. */
    private static final class Stream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<String> events = new ArrayList<>();
        private final List<Integer> ends = new ArrayList<>();
        private final List<Boolean> messages = new ArrayList<>();

        void add(byte[] frame, String event, boolean message) {
            bytes.writeBytes(frame);
            if (event != null) {
                events.add(event);
                ends.add(bytes.size());
                messages.add(message);
            }
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        /** @param chunkEnds the offsets at which a read call ended */
        List<String> expected(Set<Integer> chunkEnds) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                boolean more = messages.get(i) && !chunkEnds.contains(ends.get(i));
                out.add(events.get(i) + (more ? " +more" : ""));
            }
            return out;
        }
    }

    private static final class Recorder implements FrameReader.Sink {
        final List<String> events = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<byte[]> pings = new ArrayList<>();

        static String describe(boolean text, byte[] payload) {
            if (text) {
                return "text " + new String(payload, StandardCharsets.UTF_8);
            }
            return payload.length > 1_000 ? "binary(" + payload.length + ")" : "binary " + hex(payload);
        }

        List<String> eventsIgnoringMore() {
            return events.stream().map(e -> e.endsWith(" +more") ? e.substring(0, e.length() - 6) : e).toList();
        }

        @Override
        public void onMessage(boolean text, byte[] payload, boolean more) {
            payloads.add(payload);
            events.add(describe(text, payload) + (more ? " +more" : ""));
        }

        @Override
        public void onPing(byte[] payload) {
            assertThat(payload.length).isLessThanOrEqualTo(125);
            pings.add(payload);
            events.add("ping " + hex(payload));
        }

        @Override
        public void onPong() {
            events.add("pong");
        }

        @Override
        public void onClose(int code, String reason) {
            events.add("close " + code + " " + reason);
        }

        @Override
        public void onError(int code, String reason) {
            assertThat(reason).isNotBlank();
            assertThat(utf8(reason).length).as("fits a close frame").isLessThanOrEqualTo(123);
            events.add("error " + code + " " + reason);
        }
    }
}
