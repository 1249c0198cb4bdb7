package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The read-ahead count against a model of Jetty's reading: the client's frames back to back on the wire, read
 * in chunks, each frame handed over once its last byte has been read, with the bytes read so far.
 */
class ReadAheadTest {
    /** A frame on the wire: its payload length and whether its length took a longer form than needed. */
    private record WireFrame(int payload, boolean longForm) {
        int size() {
            int shortest = payload < 126 ? 0 : payload <= 0xFFFF ? 2 : 8;
            int ext = longForm ? (shortest == 8 ? 8 : shortest + 2) : shortest;
            return 2 + ext + 4 + payload;
        }
    }

    /**
     * What the count said for a frame, what was true, and whether the read that completed the frame began at
     * a frame's start.
     */
    private record Verdict(boolean said, boolean actuallyMore, boolean readAligned) {
    }

    /**
     * @param frames the client's frames
     * @param reads how many bytes each of Jetty's reads returned (they must add up to the frames' bytes)
     */
    private static List<Verdict> replay(List<WireFrame> frames, List<Integer> reads) {
        ReadAhead count = new ReadAhead();
        List<Verdict> verdicts = new ArrayList<>();
        long read = 0;
        long end = 0;
        int next = 0;
        for (int chunk : reads) {
            boolean aligned = end == read;
            read += chunk;
            while (next < frames.size() && end + frames.get(next).size() <= read) {
                WireFrame f = frames.get(next++);
                end += f.size();
                verdicts.add(new Verdict(count.more(read, f.payload(), true), end < read, aligned));
            }
        }
        assertThat(next).as("every frame handed over").isEqualTo(frames.size());
        return verdicts;
    }

    private static List<WireFrame> frames(int... payloads) {
        List<WireFrame> list = new ArrayList<>();
        for (int p : payloads) {
            list.add(new WireFrame(p, false));
        }
        return list;
    }

    @Test
    void framesReadTogetherAreAllButTheLastFollowedByMore() {
        List<WireFrame> f = frames(100, 0, 125, 126, 70_000);
        int total = f.stream().mapToInt(WireFrame::size).sum();
        assertThat(replay(f, List.of(total))).extracting(Verdict::said).containsExactly(true, true, true, true, false);
    }

    @Test
    void framesReadOneByOneAreNeverFollowedByMore() {
        List<WireFrame> f = frames(100, 65_535, 65_536, 3);
        List<Integer> reads = f.stream().map(WireFrame::size).toList();
        assertThat(replay(f, reads)).extracting(Verdict::said).containsOnly(false);
    }

    @Test
    void aFrameSplitAcrossTwoReadsKeepsTheHoldUntilItArrivesAndThenEndsIt() {
        List<WireFrame> f = frames(100, 100, 100);
        // the first frame and half the second; then the rest of the second; then the third
        List<Verdict> v = replay(f, List.of(106 + 50, 56, 106));
        assertThat(v).extracting(Verdict::said).containsExactly(true, false, false);
        // the rest of the second and the third together
        v = replay(f, List.of(106 + 50, 56 + 106));
        assertThat(v).extracting(Verdict::said).containsExactly(true, true, false);
    }

    @Test
    void aSplitFrameCountedLongIsForgottenAtTheNextRead() {
        List<WireFrame> f = frames(100, 1_000, 100, 100, 100);
        // 1,000 of the second frame's 1,008 bytes come with the first frame: counted long by 1,000 bytes
        List<Verdict> v = replay(f, List.of(106 + 1_000, 8, 3 * 106));
        assertThat(v).extracting(Verdict::said).containsExactly(true, false, true, true, false);
    }

    @Test
    void aLongerLengthFormHoldsTheLastFrameOfItsReadAndIsForgottenAtTheNextRead() {
        List<WireFrame> f = List.of(new WireFrame(100, true), new WireFrame(100, true), new WireFrame(100, false),
                new WireFrame(100, false));
        // counted short by two bytes each: the second frame looks followed by more, the hub's timer ends that
        List<Verdict> v = replay(f, List.of(108 + 108, 106 + 106));
        assertThat(v).extracting(Verdict::said).containsExactly(true, true, true, false);
    }

    @Test
    void overAnyFramesAndReadsTheCountIsExactInEveryReadThatBeginsAtAFrameAndNeverClaimsMoreWhenNoneWasRead() {
        Random random = new Random(42);
        int[] lengths = {0, 1, 100, 125, 126, 127, 1_000, 65_535, 65_536, 100_000};
        int exact = 0;
        for (int round = 0; round < 2_000; round++) {
            List<WireFrame> f = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                f.add(new WireFrame(lengths[random.nextInt(lengths.length)], false));
            }
            List<Integer> reads = new ArrayList<>();
            int pending = 0;
            for (WireFrame w : f) {
                int left = w.size();
                while (left > 0) {
                    // end a read at this frame's end, or somewhere inside it, or not at all
                    int take = random.nextInt(4) == 0 ? 1 + random.nextInt(left) : left;
                    pending += take;
                    left -= take;
                    if (random.nextInt(3) == 0) {
                        reads.add(pending);
                        pending = 0;
                    }
                }
            }
            if (pending > 0) {
                reads.add(pending);
            }
            List<Verdict> verdicts = replay(f, reads);
            for (int i = 0; i < verdicts.size(); i++) {
                Verdict v = verdicts.get(i);
                String what = "round " + round + " frame " + i + " of " + f + " read as " + reads;
                if (v.readAligned()) {
                    exact++;
                    assertThat(v.said()).as(what).isEqualTo(v.actuallyMore());
                } else if (!v.actuallyMore()) {
                    assertThat(v.said()).as(what).isFalse();
                }
            }
        }
        assertThat(exact).as("frames in reads that began at a frame").isGreaterThan(5_000);
    }
}
