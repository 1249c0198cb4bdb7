package io.herald.internal;

import static io.herald.internal.TokenBucketTest.hammer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.RateLimit;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {
    private static final long MS = 1_000_000L;
    private static final RateLimit THOUSAND_PER_SECOND_BURST_2 = RateLimit.of(1000, 2);

    private final AtomicLong nanos = new AtomicLong(-42 * MS);

    private KeyedRateLimiter limiter(RateLimit limit, int maxKeys) {
        return new KeyedRateLimiter(limit, maxKeys, nanos::get);
    }

    @Test
    void eachKeyHasItsOwnBucket() {
        KeyedRateLimiter limiter = limiter(THOUSAND_PER_SECOND_BURST_2, 10);
        assertThat(limiter.tryAcquire("10.0.0.1")).isZero();
        assertThat(limiter.tryAcquire("10.0.0.1")).isZero();
        assertThat(limiter.tryAcquire("10.0.0.1")).isEqualTo(MS);
        assertThat(limiter.tryAcquire("10.0.0.2")).isZero();
        assertThat(limiter.tryAcquire("10.0.0.2")).isZero();
        assertThat(limiter.tryAcquire("10.0.0.2")).isEqualTo(MS);
        assertThat(limiter.size()).isEqualTo(2);
    }

    @Test
    void askingWhetherAKeyMustWaitTakesNothingAndStoresNothing() {
        KeyedRateLimiter limiter = limiter(RateLimit.of(1000, 1), 10);
        assertThat(limiter.waitFor("a")).isZero();
        assertThat(limiter.size()).isZero();
        assertThat(limiter.tryAcquire("a")).isZero();
        assertThat(limiter.waitFor("a")).isEqualTo(MS);
        assertThat(limiter.waitFor("a")).isEqualTo(MS);
        nanos.addAndGet(MS);
        assertThat(limiter.waitFor("a")).isZero();
        assertThat(limiter.tryAcquire("a")).isZero();
    }

    @Test
    void chargesCountEvenWhenTheBucketIsEmpty() {
        KeyedRateLimiter limiter = limiter(RateLimit.of(1000, 1), 10);
        assertThat(limiter.charge("a")).as("a new key's first charge").isZero();
        assertThat(limiter.charge("a")).isZero();
        assertThat(limiter.charge("a")).isZero();
        assertThat(limiter.waitFor("a")).isEqualTo(3 * MS);
        assertThat(limiter.tryAcquire("a")).isEqualTo(3 * MS);
    }

    @Test
    void aKeysRetryAfterShrinksAsTimePasses() {
        KeyedRateLimiter limiter = limiter(RateLimit.of(10, 1), 10);
        assertThat(limiter.tryAcquire("u")).isZero();
        nanos.addAndGet(40 * MS);
        assertThat(limiter.tryAcquire("u")).isEqualTo(60 * MS);
        nanos.addAndGet(60 * MS);
        assertThat(limiter.tryAcquire("u")).isZero();
    }

    @Test
    void newKeyFailsClosedForOneTokenIntervalWhenTheTableIsFull() {
        KeyedRateLimiter limiter = limiter(THOUSAND_PER_SECOND_BURST_2, 2);
        limiter.tryAcquire("a");
        limiter.tryAcquire("b");
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("c")).isEqualTo(MS);
        }
        assertThat(limiter.size()).isEqualTo(2);
        assertThat(limiter.tryAcquire("a")).as("a known key is still served").isZero();
    }

    @Test
    void aNewKeyAskingWhetherItMustWaitIsToldToWhenTheTableIsFull() {
        KeyedRateLimiter limiter = limiter(THOUSAND_PER_SECOND_BURST_2, 2);
        limiter.tryAcquire("a");
        limiter.tryAcquire("b");
        assertThat(limiter.waitFor("c")).as("the table cannot track c").isEqualTo(MS);
        assertThat(limiter.charge("c")).isEqualTo(MS);
        assertThat(limiter.size()).isEqualTo(2);
        nanos.addAndGet(MS);
        assertThat(limiter.waitFor("c")).as("a sweep can now make room").isZero();
        assertThat(limiter.size()).as("asking stores nothing").isZero();
    }

    @Test
    void fullyRefilledBucketsAreSweptToAdmitANewKey() {
        KeyedRateLimiter limiter = limiter(THOUSAND_PER_SECOND_BURST_2, 2);
        limiter.tryAcquire("a");
        limiter.tryAcquire("b");
        assertThat(limiter.tryAcquire("c")).isEqualTo(MS);
        nanos.addAndGet(MS);
        assertThat(limiter.tryAcquire("c")).isZero();
        assertThat(limiter.size()).isEqualTo(1);
        assertThat(limiter.tryAcquire("a")).isZero();
        assertThat(limiter.tryAcquire("a")).as("a swept key starts again with a full bucket").isZero();
    }

    @Test
    void bucketsStillRefillingAreNotSwept() {
        KeyedRateLimiter limiter = limiter(THOUSAND_PER_SECOND_BURST_2, 2);
        limiter.tryAcquire("a");
        limiter.tryAcquire("a");
        limiter.tryAcquire("b");
        nanos.addAndGet(MS);
        assertThat(limiter.tryAcquire("c")).isZero();
        assertThat(limiter.size()).isEqualTo(2);
        assertThat(limiter.tryAcquire("a")).isZero();
        assertThat(limiter.tryAcquire("a")).as("a kept its bucket, one token short").isEqualTo(MS);
    }

    @Test
    void aSweepThatFreedNothingIsRetriedOnceABucketCanHaveRefilled() {
        KeyedRateLimiter limiter = limiter(RateLimit.of(1000, 1), 2);
        limiter.tryAcquire("a");
        nanos.addAndGet(MS / 2);
        limiter.tryAcquire("b");
        assertThat(limiter.tryAcquire("c")).isEqualTo(MS);
        nanos.addAndGet(MS / 2 - 1);
        assertThat(limiter.tryAcquire("c")).isEqualTo(MS);
        nanos.addAndGet(1);
        assertThat(limiter.tryAcquire("c")).isZero();
        assertThat(limiter.tryAcquire("d")).isEqualTo(MS);
        nanos.addAndGet(MS / 2);
        assertThat(limiter.tryAcquire("d")).as("b refilled").isZero();
    }

    @Test
    void unlimitedGrantsEveryKeyAndStoresNone() {
        LongSupplier forbidden = () -> {
            throw new AssertionError("the clock was read");
        };
        KeyedRateLimiter limiter = new KeyedRateLimiter(RateLimit.UNLIMITED, 1, forbidden);
        for (int i = 0; i < 1_000; i++) {
            assertThat(limiter.tryAcquire("k" + i)).isZero();
        }
        assertThat(limiter.size()).isZero();
    }

    @Test
    void constructorRejectsMissingLimitOrClockAndMaxKeysBelowOne() {
        assertThatThrownBy(() -> new KeyedRateLimiter(null, 1, nanos::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> new KeyedRateLimiter(THOUSAND_PER_SECOND_BURST_2, 0, nanos::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxKeys");
        assertThatThrownBy(() -> new KeyedRateLimiter(THOUSAND_PER_SECOND_BURST_2, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nanoTime");
    }

    @Test
    void concurrentNewKeysNeverGrowTheTableBeyondMaxKeys() throws Exception {
        KeyedRateLimiter limiter = limiter(RateLimit.of(1000, 1), 50);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger largest = new AtomicInteger();
        int granted = hammer(4, 2_000, thread -> {
            long wait = limiter.tryAcquire("k" + next.incrementAndGet());
            largest.accumulateAndGet(limiter.size(), Math::max);
            return wait == 0 ? 1 : 0;
        });
        assertThat(granted).isEqualTo(50);
        assertThat(largest.get()).isEqualTo(50);
        assertThat(limiter.size()).isEqualTo(50);
    }

    @Test
    void concurrentSweepsNeverLetOneKeyExceedItsLimit() throws Exception {
        KeyedRateLimiter limiter = limiter(RateLimit.of(1000, 1), 2);
        long start = nanos.get();
        AtomicInteger churn = new AtomicInteger();
        int granted = hammer(4, 20_000, thread -> {
            if (thread == 0) {
                nanos.addAndGet(MS / 4);
                limiter.tryAcquire("churn-" + churn.incrementAndGet());
                return 0;
            }
            return limiter.tryAcquire("hot") == 0 ? 1 : 0;
        });
        long refilled = (nanos.get() - start) / MS;
        assertThat(granted).as("new keys may starve \"hot\" out (fail closed), never over-grant it")
                .isLessThanOrEqualTo(1 + (int) refilled);
        assertThat(limiter.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void aSweepRacingAcquiresNeverGivesAKeyASecondToken() throws Exception {
        KeyedRateLimiter limiter = limiter(RateLimit.of(1000, 1), 2);
        int rounds = 5_000;
        AtomicInteger round = new AtomicInteger(-1);
        AtomicIntegerArray hotGrants = new AtomicIntegerArray(rounds);
        CyclicBarrier everyoneReady = new CyclicBarrier(3, () -> {
            nanos.addAndGet(MS);
            round.incrementAndGet();
        });
        hammer(3, rounds, thread -> {
            try {
                everyoneReady.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("round did not start", e);
            }
            int r = round.get();
            if (thread == 0) {
                limiter.tryAcquire("churn-" + r);
            } else {
                for (int i = 0; i < 10; i++) {
                    if (limiter.tryAcquire("hot") == 0) {
                        hotGrants.incrementAndGet(r);
                    }
                }
            }
            return 0;
        });
        for (int r = 0; r < rounds; r++) {
            assertThat(hotGrants.get(r)).as("grants in round %d, with the clock standing still", r)
                    .isLessThanOrEqualTo(1);
        }
    }
}
