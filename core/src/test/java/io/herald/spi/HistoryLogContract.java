package io.herald.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link HistoryLog} must show. An implementation's test subclasses this and supplies
 * {@link #createLog} and {@link #wellFormedIdAfter}. Ids are treated as opaque: payloads carry a counter
 * (the JSON number {@code n}) so the tests can tell which events came back.
 *
 * <p>Age retention is measured on the {@link MutableClock} handed to {@link #createLog}, which stands still
 * unless a test moves it. The tests keep half a second away from {@code maxAge}, so whether an event exactly
 * {@code maxAge} old is kept is left to the implementation. Each test creates its own logs and closes them.
 */
public abstract class HistoryLogContract {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Predicate<StoredEvent> ALL = event -> true;

    /** The clock given to the logs of the current test. */
    @SuppressWarnings("exports") // MutableClock ships in the test-jar, which the module does not describe
    protected final MutableClock clock = new MutableClock();
    private final List<HistoryLog> created = new ArrayList<>();

    /** For subclasses. */
    protected HistoryLogContract() {
    }

    /**
     * Creates an empty log with its own epoch, distinct from every log created before.
     *
     * @param capacity the most events retained
     * @param maxAge how long an event is retained, measured on {@code clock}
     * @param clock the clock the log must age its events by
     * @return a new log
     */
    @SuppressWarnings("exports")
    protected abstract HistoryLog createLog(int capacity, Duration maxAge, MutableClock clock);

    /**
     * Makes an id that the log could hand out later but has not yet: same epoch, newer than {@code newestId}.
     *
     * @param newestId the newest id the log handed out
     * @return a well-formed id newer than {@code newestId}
     */
    protected abstract String wellFormedIdAfter(String newestId);

    /** Closes the logs the test created. */
    @AfterEach
    void closeLogs() {
        created.forEach(HistoryLog::close);
    }

    private HistoryLog log(int capacity, Duration maxAge) {
        HistoryLog log = createLog(capacity, maxAge, clock);
        created.add(log);
        return log;
    }

    private StoredEvent append(HistoryLog log, long n) {
        return log.append("t.a", bytes(n), clock.millis(), null, null);
    }

    private List<StoredEvent> appendRange(HistoryLog log, long first, long last) {
        List<StoredEvent> events = new ArrayList<>();
        for (long n = first; n <= last; n++) {
            events.add(append(log, n));
        }
        return events;
    }

    static byte[] bytes(long n) {
        return Long.toString(n).getBytes(StandardCharsets.UTF_8);
    }

    static long counter(StoredEvent event) {
        return Long.parseLong(new String(event.data(), StandardCharsets.UTF_8));
    }

    static List<Long> counters(Replay replay) {
        return replay.events().stream().map(HistoryLogContract::counter).toList();
    }

    @Test
    void appendKeepsTheEventAsGiven() {
        HistoryLog log = log(8, HOUR);
        byte[] data = bytes(7);
        StoredEvent event = log.append("t.room", data, 1234L, "lobby", "c-1");
        assertThat(event.id()).isNotBlank();
        assertThat(event.topic()).isEqualTo("t.room");
        assertThat(event.data()).isEqualTo(data);
        assertThat(event.timestamp()).isEqualTo(1234L);
        assertThat(event.room()).isEqualTo("lobby");
        assertThat(event.from()).isEqualTo("c-1");
    }

    @Test
    void idsAreStrictlyIncreasingInAppendOrder() {
        HistoryLog log = log(16, HOUR);
        List<String> ids = appendRange(log, 1, 10).stream().map(StoredEvent::id).toList();
        assertThat(ids).doesNotHaveDuplicates();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(log.compare(ids.get(i), ids.get(i))).isZero();
            for (int j = i + 1; j < ids.size(); j++) {
                assertThat(log.compare(ids.get(i), ids.get(j))).isNegative();
                assertThat(log.compare(ids.get(j), ids.get(i))).isPositive();
            }
        }
    }

    @Test
    void epochIsStableAndDiffersBetweenLogs() {
        HistoryLog first = log(4, HOUR);
        String epoch = first.epoch();
        append(first, 1);
        assertThat(epoch).isNotBlank();
        assertThat(first.epoch()).isEqualTo(epoch);
        assertThat(log(4, HOUR).epoch()).isNotEqualTo(epoch);
    }

    @Test
    void readAfterReturnsExactlyTheEventsAfterTheIdOldestFirst() {
        HistoryLog log = log(16, HOUR);
        List<StoredEvent> events = appendRange(log, 1, 10);
        Replay replay = log.readAfter(events.get(3).id(), ALL, 100);
        assertThat(replay.recovered()).isTrue();
        assertThat(replay.events()).extracting(StoredEvent::id)
                .containsExactlyElementsOf(events.subList(4, 10).stream().map(StoredEvent::id).toList());
        assertThat(counters(replay)).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void readAfterTheNewestIdIsRecoveredAndEmpty() {
        HistoryLog log = log(16, HOUR);
        StoredEvent newest = appendRange(log, 1, 3).get(2);
        Replay replay = log.readAfter(newest.id(), ALL, 100);
        assertThat(replay.recovered()).isTrue();
        assertThat(replay.events()).isEmpty();
    }

    @Test
    void readAfterIncludesOnlyWhatTheMatcherAccepts() {
        HistoryLog log = log(16, HOUR);
        StoredEvent first = append(log, 0);
        log.append("t.a", bytes(1), clock.millis(), null, null);
        log.append("t.b", bytes(2), clock.millis(), null, null);
        log.append("t.a", bytes(3), clock.millis(), "lobby", "c-1");
        log.append("t.a", bytes(4), clock.millis(), null, null);
        Replay replay = log.readAfter(first.id(), e -> e.topic().equals("t.a"), 100);
        assertThat(replay.recovered()).isTrue();
        assertThat(counters(replay)).containsExactly(1L, 3L, 4L);
    }

    @Test
    void roomEventsAreKeptAndLeftToTheMatcher() {
        HistoryLog log = log(16, HOUR);
        StoredEvent first = append(log, 0);
        log.append("t.a", bytes(1), clock.millis(), "lobby", "c-1");
        append(log, 2);
        assertThat(counters(log.readAfter(first.id(), ALL, 100))).containsExactly(1L, 2L);
        assertThat(counters(log.readAfter(first.id(), StoredEvent::isTopicEvent, 100))).containsExactly(2L);
    }

    @Test
    void idAtTheEdgeOfTheCountWindowIsRecovered() {
        HistoryLog log = log(4, HOUR);
        List<StoredEvent> events = appendRange(log, 1, 10);
        Replay replay = log.readAfter(events.get(5).id(), ALL, 100);
        assertThat(replay.recovered()).isTrue();
        assertThat(counters(replay)).containsExactly(7L, 8L, 9L, 10L);
    }

    @Test
    void idOlderThanTheCountWindowIsNotRecoveredButGetsTheRetainedEvents() {
        HistoryLog log = log(4, HOUR);
        List<StoredEvent> events = appendRange(log, 1, 10);
        for (int evicted = 0; evicted < 5; evicted++) {
            Replay replay = log.readAfter(events.get(evicted).id(), ALL, 100);
            assertThat(replay.recovered()).as("after event %d", evicted + 1).isFalse();
            assertThat(counters(replay)).containsExactly(7L, 8L, 9L, 10L);
        }
    }

    @Test
    void idOlderThanTheCountWindowGetsTheNewestLimitEvents() {
        HistoryLog log = log(4, HOUR);
        List<StoredEvent> events = appendRange(log, 1, 10);
        Replay replay = log.readAfter(events.get(0).id(), ALL, 2);
        assertThat(replay.recovered()).isFalse();
        assertThat(counters(replay)).containsExactly(9L, 10L);
    }

    @Test
    void idWhoseSuccessorsExpiredIsNotRecovered() {
        HistoryLog log = log(16, Duration.ofSeconds(10));
        StoredEvent first = append(log, 1);
        clock.advance(Duration.ofSeconds(1));
        StoredEvent second = append(log, 2);
        clock.advance(Duration.ofSeconds(5));
        append(log, 3);
        clock.advance(Duration.ofMillis(5_500));

        Replay afterFirst = log.readAfter(first.id(), ALL, 100);
        assertThat(afterFirst.recovered()).isFalse();
        assertThat(counters(afterFirst)).containsExactly(3L);
        Replay afterSecond = log.readAfter(second.id(), ALL, 100);
        assertThat(afterSecond.recovered()).isTrue();
        assertThat(counters(afterSecond)).containsExactly(3L);
    }

    @Test
    void eventsYoungerThanMaxAgeAreReplayed() {
        HistoryLog log = log(16, Duration.ofSeconds(10));
        StoredEvent first = append(log, 1);
        clock.advance(Duration.ofSeconds(5));
        append(log, 2);
        clock.advance(Duration.ofMillis(4_500));
        Replay replay = log.readAfter(first.id(), ALL, 100);
        assertThat(replay.recovered()).isTrue();
        assertThat(counters(replay)).containsExactly(2L);
    }

    @Test
    void expiredEventsAreNotReplayedEvenWithoutFurtherAppends() {
        HistoryLog log = log(16, Duration.ofSeconds(10));
        List<StoredEvent> events = appendRange(log, 1, 3);
        clock.advance(Duration.ofSeconds(11));
        Replay replay = log.readAfter(events.get(0).id(), ALL, 100);
        assertThat(replay.recovered()).isFalse();
        assertThat(replay.events()).isEmpty();
        assertThat(log.readAfter(events.get(2).id(), ALL, 100).recovered()).isTrue();
    }

    @Test
    void idFromAnotherEpochIsNotRecoveredAndGetsNothing() {
        HistoryLog log = log(16, HOUR);
        appendRange(log, 1, 3);
        HistoryLog other = log(16, HOUR);
        String foreign = append(other, 1).id();
        Replay replay = log.readAfter(foreign, ALL, 100);
        assertThat(replay.recovered()).isFalse();
        assertThat(replay.events()).isEmpty();
    }

    @Test
    void malformedIdIsNotRecoveredAndGetsNothing() {
        HistoryLog log = log(16, HOUR);
        String valid = appendRange(log, 1, 3).get(0).id();
        for (String malformed : List.of("", " ", "-", "garbage", "%00", valid + "x", "x" + valid, valid + " ")) {
            Replay replay = log.readAfter(malformed, ALL, 100);
            assertThat(replay.recovered()).as("id '%s'", malformed).isFalse();
            assertThat(replay.events()).as("id '%s'", malformed).isEmpty();
        }
    }

    @Test
    void idNewerThanTheLastAssignedIsNotRecoveredAndGetsNothing() {
        HistoryLog log = log(16, HOUR);
        String newest = appendRange(log, 1, 3).get(2).id();
        Replay replay = log.readAfter(wellFormedIdAfter(newest), ALL, 100);
        assertThat(replay.recovered()).isFalse();
        assertThat(replay.events()).isEmpty();
    }

    @Test
    void limitExceededReturnsTheNewestEventsUnrecovered() {
        HistoryLog log = log(16, HOUR);
        StoredEvent first = appendRange(log, 1, 10).get(0);
        Replay replay = log.readAfter(first.id(), ALL, 3);
        assertThat(replay.recovered()).isFalse();
        assertThat(counters(replay)).containsExactly(8L, 9L, 10L);
    }

    @Test
    void limitExceededCountsOnlyMatchingEvents() {
        HistoryLog log = log(16, HOUR);
        StoredEvent first = appendRange(log, 1, 10).get(0);
        Predicate<StoredEvent> even = e -> counter(e) % 2 == 0;
        Replay exact = log.readAfter(first.id(), even, 5);
        assertThat(exact.recovered()).isTrue();
        assertThat(counters(exact)).containsExactly(2L, 4L, 6L, 8L, 10L);
        Replay short1 = log.readAfter(first.id(), even, 4);
        assertThat(short1.recovered()).isFalse();
        assertThat(counters(short1)).containsExactly(4L, 6L, 8L, 10L);
    }

    @Test
    void compareRejectsMalformedAndForeignIds() {
        HistoryLog log = log(16, HOUR);
        String valid = append(log, 1).id();
        String foreign = append(log(16, HOUR), 1).id();
        for (String bad : List.of("", "garbage", valid + "x", foreign)) {
            assertThatThrownBy(() -> log.compare(bad, valid)).as("id '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.compare(valid, bad)).as("id '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void replaysWhileAppendingAreGapFreeOrderedRuns() throws Exception {
        HistoryLogRace race = new HistoryLogRace(log(HistoryLogRace.CAPACITY, HOUR), clock);
        assertThat(race.run()).isGreaterThanOrEqualTo(HistoryLogRace.APPENDS / HistoryLogRace.APPENDS_PER_REPLAY);
    }
}
