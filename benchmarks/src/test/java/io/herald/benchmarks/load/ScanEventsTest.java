package io.herald.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The load client's SSE scan, which looks eight bytes at a time, finds the same events as a plain scan
 * however the stream is cut into reads: every cut into two and three pieces of tricky streams, and random
 * streams of {@code 'a'} and {@code '\n'}.
 */
class ScanEventsTest {
    /** The events of a stream as a plain scan finds them: up to each leftmost "\n\n", the rest left over. */
    private static List<String> reference(String stream) {
        List<String> events = new ArrayList<>();
        int start = 0;
        for (int at = stream.indexOf("\n\n", start); at >= 0; at = stream.indexOf("\n\n", start)) {
            events.add(stream.substring(start, at));
            start = at + 2;
        }
        return events;
    }

    /** Feeds the stream in pieces ending at {@code cuts}, keeping the incomplete rest as the client does. */
    private static List<String> scanned(String stream, int... cuts) {
        byte[] all = stream.getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[all.length];
        List<String> events = new ArrayList<>();
        int kept = 0;
        int scanned = 0;
        int from = 0;
        int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = all.length;
        for (int to : ends) {
            System.arraycopy(all, from, buffer, kept, to - from);
            int end = kept + to - from;
            from = to;
            int start = LoadClient.scanEvents(buffer, scanned, end,
                    (f, t) -> events.add(new String(buffer, f, t - f, StandardCharsets.US_ASCII)));
            System.arraycopy(buffer, start, buffer, 0, end - start);
            kept = end - start;
            scanned = kept;
        }
        return events;
    }

    @Test
    void everyCutOfTrickyStreamsGivesThePlainScansEvents() {
        List<String> streams = List.of("", "\n", "\n\n", "\n\n\n", "\n\n\n\n", "a\n\nb\n\n", "x\n\n\n\n",
                "\n\n\nx\n\n", "a\n\n\n\nb\n\n\nc\n\n", "id: 1\ndata: {\"seq\":1}\n\nid: 2\ndata: {\"seq\":2}\n\n",
                ": ping\n\nevent: connected\ndata: {}\n\n\n", "ab\nc\nd\n\ne");
        for (String s : streams) {
            List<String> expected = reference(s);
            for (int a = 0; a <= s.length(); a++) {
                assertThat(scanned(s, a)).as("%s cut at %d", s.replace("\n", "\\n"), a).isEqualTo(expected);
                for (int b = a; b <= s.length(); b++) {
                    assertThat(scanned(s, a, b)).as("%s cut at %d and %d", s.replace("\n", "\\n"), a, b)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void randomStreamsCutAtRandomGiveThePlainScansEvents() {
        Random random = new Random(15);
        for (int n = 0; n < 2_000; n++) {
            char[] c = new char[random.nextInt(40)];
            for (int i = 0; i < c.length; i++) {
                c[i] = random.nextInt(3) == 0 ? 'a' : '\n';
            }
            String s = new String(c);
            int[] cuts = random.ints(random.nextInt(4), 0, s.length() + 1).sorted().toArray();
            assertThat(scanned(s, cuts)).as("%s cut at %s", s.replace("\n", "\\n"), Arrays.toString(cuts))
                    .isEqualTo(reference(s));
        }
    }
}
