package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.spi.HistoryLog;
import io.herald.spi.HistoryLogContract;
import io.herald.spi.Replay;
import io.herald.spi.StoredEvent;
import io.herald.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryHistoryLogTest extends HistoryLogContract {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final byte[] DATA = "1".getBytes(StandardCharsets.UTF_8);

    @Override
    protected HistoryLog createLog(int capacity, Duration maxAge, MutableClock clock) {
        return new InMemoryHistoryLog(capacity, maxAge, clock);
    }

    @Override
    protected String wellFormedIdAfter(String newestId) {
        int dash = newestId.lastIndexOf('-');
        return newestId.substring(0, dash + 1) + (Long.parseLong(newestId.substring(dash + 1)) + 1);
    }

    private StoredEvent append(InMemoryHistoryLog log) {
        return log.append("t.a", DATA, clock.millis(), null, null);
    }

    @Test
    void aGapWhoseOnlyEvictedEventsAreRoomOrDirectOnesIsStillRecovered() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(3, HOUR, clock);
        StoredEvent since = append(log);
        log.append("chat.msg", DATA, clock.millis(), "lobby", "c1", null);
        log.append("note", DATA, clock.millis(), null, null, "user:ann");
        StoredEvent topic = append(log);
        log.append("chat.msg", DATA, clock.millis(), "lobby", "c1", null);

        Replay replay = log.readAfter(since.id(), e -> e.room() == null && e.to() == null, 10);

        assertThat(replay.recovered()).as("only a room and a direct event were evicted").isTrue();
        assertThat(replay.events()).extracting(StoredEvent::id).containsExactly(topic.id());
        log.append("t.b", DATA, clock.millis(), null, null);
        log.append("t.c", DATA, clock.millis(), null, null);
        assertThat(log.readAfter(since.id(), e -> true, 10).recovered()).as("a topic event was evicted").isFalse();
    }

    @Test
    void constructorRejectsCapacityBelowOne() {
        assertThatThrownBy(() -> new InMemoryHistoryLog(0, HOUR, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    }

    @Test
    void constructorRejectsMissingOrSubMillisecondMaxAge() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-5), Duration.ofNanos(999_999)}) {
            assertThatThrownBy(() -> new InMemoryHistoryLog(4, bad, clock)).as("maxAge %s", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge");
        }
    }

    @Test
    void constructorRejectsMissingClock() {
        assertThatThrownBy(() -> new InMemoryHistoryLog(4, HOUR, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clock");
    }

    @Test
    void constructorAcceptsAMaxAgeBeyondTheRangeOfMilliseconds() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(4, Duration.ofSeconds(Long.MAX_VALUE), clock);
        StoredEvent first = append(log);
        append(log);
        clock.advance(Duration.ofDays(365_000));
        assertThat(log.readAfter(first.id(), e -> true, 10).events()).hasSize(1);
    }

    @Test
    void idsAreTheEpochADashAndASequenceFromOne() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(4, HOUR, clock);
        assertThat(log.epoch()).matches("[0-9a-f]{8}");
        assertThat(append(log).id()).isEqualTo(log.epoch() + "-1");
        assertThat(append(log).id()).isEqualTo(log.epoch() + "-2");
    }

    @Test
    void nonCanonicalSpellingsOfAnIdAreMalformed() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(4, HOUR, clock);
        append(log);
        append(log);
        String epoch = log.epoch();
        for (String bad : List.of(epoch + "-01", epoch + "-+1", epoch + "--1", epoch + "-0", epoch + "-",
                "A" + epoch.substring(1) + "-1", epoch + "-99999999999999999999")) {
            Replay replay = log.readAfter(bad, e -> true, 10);
            assertThat(replay.recovered()).as("id %s", bad).isFalse();
            assertThat(replay.events()).as("id %s", bad).isEmpty();
            assertThatThrownBy(() -> log.compare(bad, epoch + "-1")).as("id %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void onlyCapacityEventsAreReachableAfterTenTimesCapacityAppends() {
        int capacity = 32;
        InMemoryHistoryLog log = new InMemoryHistoryLog(capacity, HOUR, clock);
        StoredEvent first = append(log);
        for (int i = 1; i < 10 * capacity; i++) {
            append(log);
        }
        Replay replay = log.readAfter(first.id(), e -> true, Integer.MAX_VALUE);
        assertThat(replay.recovered()).isFalse();
        assertThat(replay.events()).hasSize(capacity);
        assertThat(replay.events().get(0).id()).isEqualTo(log.epoch() + "-" + (9 * capacity + 1));
        assertThat(log.occupiedSlots()).isEqualTo(capacity);
    }

    @Test
    void expiredEventsReleaseTheirSlotsOnRead() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(8, Duration.ofSeconds(10), clock);
        StoredEvent first = append(log);
        append(log);
        append(log);
        clock.advance(Duration.ofSeconds(11));
        assertThat(log.occupiedSlots()).isEqualTo(3);
        log.readAfter(first.id(), e -> true, 10);
        assertThat(log.occupiedSlots()).isZero();
    }

    @Test
    void eventExactlyMaxAgeOldIsStillReplayed() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(8, Duration.ofSeconds(10), clock);
        StoredEvent first = append(log);
        clock.advance(Duration.ofSeconds(1));
        append(log);
        clock.advance(Duration.ofSeconds(10));
        assertThat(log.readAfter(first.id(), e -> true, 10).events()).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(log.readAfter(first.id(), e -> true, 10).events()).isEmpty();
    }

    @Test
    void zeroLimitIsRecoveredOnlyWhenNothingMatches() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(8, HOUR, clock);
        StoredEvent first = append(log);
        append(log);
        assertThat(log.readAfter(first.id(), e -> false, 0).recovered()).isTrue();
        Replay replay = log.readAfter(first.id(), e -> true, 0);
        assertThat(replay.recovered()).isFalse();
        assertThat(replay.events()).isEmpty();
    }

    @Test
    void negativeLimitIsRejected() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(8, HOUR, clock);
        String id = append(log).id();
        assertThatThrownBy(() -> log.readAfter(id, e -> true, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void aSlowMatcherDoesNotBlockAppends() {
        InMemoryHistoryLog log = new InMemoryHistoryLog(8, HOUR, clock);
        StoredEvent first = append(log);
        append(log);
        Replay replay = log.readAfter(first.id(), e -> {
            StoredEvent appended = CompletableFuture.supplyAsync(() -> append(log)).orTimeout(5, TimeUnit.SECONDS)
                    .join();
            return appended != null;
        }, 10);
        assertThat(replay.recovered()).isTrue();
        assertThat(replay.events()).hasSize(1);
    }
}
