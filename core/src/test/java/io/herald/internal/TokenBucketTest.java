package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long MS = 1_000_000L;
    private static final RateLimit THOUSAND_PER_SECOND_BURST_5 = RateLimit.of(1000, 5);

    private final AtomicLong nanos = new AtomicLong(123_456_789L);

    private TokenBucket bucket(RateLimit limit) {
        return new TokenBucket(limit, nanos::get);
    }

    private static int drain(TokenBucket bucket, int attempts) {
        int granted = 0;
        for (int i = 0; i < attempts; i++) {
            if (bucket.tryAcquire() == 0) {
                granted++;
            }
        }
        return granted;
    }

    @Test
    void burstIsGrantedAtOnceThenDenied() {
        TokenBucket bucket = bucket(THOUSAND_PER_SECOND_BURST_5);
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryAcquire()).as("request %d", i + 1).isZero();
        }
        assertThat(bucket.tryAcquire()).isEqualTo(MS);
    }

    @Test
    void chargesPastEmptyAreDebtThatTheRefillPaysBackBeforeAnyGrant() {
        TokenBucket bucket = bucket(RateLimit.of(1000, 2));
        assertThat(drain(bucket, 2)).isEqualTo(2);
        long now = nanos.get();
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.chargeUnlessRetired(now)).isZero();
        }
        assertThat(bucket.waitAt(now)).isEqualTo(4 * MS);
        assertThat(bucket.tryAcquire()).as("asking takes nothing while in debt").isEqualTo(4 * MS);
        nanos.addAndGet(4 * MS - 1);
        assertThat(bucket.tryAcquire()).isEqualTo(1);
        nanos.addAndGet(1);
        assertThat(bucket.waitAt(nanos.get())).isZero();
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(MS);
    }

    @Test
    void tokensRefillAtTheConfiguredRate() {
        TokenBucket bucket = bucket(THOUSAND_PER_SECOND_BURST_5);
        assertThat(drain(bucket, 5)).isEqualTo(5);
        nanos.addAndGet(3 * MS);
        assertThat(drain(bucket, 10)).isEqualTo(3);
        nanos.addAndGet(MS / 2);
        assertThat(drain(bucket, 10)).isZero();
        nanos.addAndGet(MS / 2);
        assertThat(drain(bucket, 10)).isEqualTo(1);
    }

    @Test
    void deniedRequestIsToldTheNanosecondsUntilTheNextToken() {
        TokenBucket bucket = bucket(RateLimit.of(10, 1));
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(100 * MS);
        nanos.addAndGet(30 * MS);
        assertThat(bucket.tryAcquire()).isEqualTo(70 * MS);
        nanos.addAndGet(70 * MS - 1);
        assertThat(bucket.tryAcquire()).isEqualTo(1);
        nanos.addAndGet(1);
        assertThat(bucket.tryAcquire()).isZero();
    }

    @Test
    void idleBucketRefillsOnlyUpToBurst() {
        TokenBucket bucket = bucket(RateLimit.of(1000, 3));
        drain(bucket, 3);
        nanos.addAndGet(TimeUnit.HOURS.toNanos(1));
        assertThat(drain(bucket, 100)).isEqualTo(3);
        assertThat(bucket.tryAcquire()).isEqualTo(MS);
    }

    @Test
    void slowRatesSpreadTokensOverSeconds() {
        TokenBucket bucket = bucket(RateLimit.of(0.5, 1));
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void tokenIntervalIsRoundedToTheNearestNanosecondWithinBounds() {
        assertThat(TokenBucket.intervalNanos(RateLimit.of(3, 1))).isEqualTo(333_333_333L);
        assertThat(TokenBucket.intervalNanos(RateLimit.of(1.5e9, 1))).isEqualTo(1);
        assertThat(TokenBucket.intervalNanos(RateLimit.of(1e12, 1))).isEqualTo(1);
        assertThat(TokenBucket.intervalNanos(RateLimit.of(1e-30, 1))).isEqualTo(1L << 60);
        assertThat(TokenBucket.intervalNanos(RateLimit.UNLIMITED)).isZero();
    }

    @Test
    void extremeLimitsNeverGrantPastTheBucketOrReturnNegativeWaits() {
        for (RateLimit limit : List.of(RateLimit.of(1e-30, 1), RateLimit.of(1e-30, Integer.MAX_VALUE),
                RateLimit.of(1e12, 1), RateLimit.of(1e12, Integer.MAX_VALUE), RateLimit.of(1, Integer.MAX_VALUE))) {
            TokenBucket bucket = bucket(limit);
            assertThat(bucket.tryAcquire()).as("%s", limit).isZero();
            for (int i = 0; i < 1_000; i++) {
                assertThat(bucket.tryAcquire()).as("%s", limit).isNotNegative();
            }
        }
        TokenBucket glacial = bucket(RateLimit.of(1e-30, 1));
        glacial.tryAcquire();
        assertThat(glacial.tryAcquire()).isEqualTo(1L << 60);
    }

    @Test
    void unlimitedGrantsEveryRequestWithoutReadingTheClock() {
        LongSupplier forbidden = () -> {
            throw new AssertionError("the clock was read");
        };
        TokenBucket bucket = new TokenBucket(RateLimit.UNLIMITED, forbidden);
        for (int i = 0; i < 10_000; i++) {
            assertThat(bucket.tryAcquire()).isZero();
        }
    }

    @Test
    void aClockOriginNearOverflowDoesNotMatter() {
        nanos.set(Long.MAX_VALUE - MS / 2);
        TokenBucket bucket = bucket(RateLimit.of(1000, 2));
        assertThat(drain(bucket, 10)).isEqualTo(2);
        nanos.addAndGet(2 * MS);
        assertThat(nanos.get()).isNegative();
        assertThat(drain(bucket, 10)).isEqualTo(2);
        assertThat(bucket.tryAcquire()).isEqualTo(MS);
    }

    @Test
    void constructorRejectsMissingLimitOrClock() {
        assertThatThrownBy(() -> new TokenBucket(null, nanos::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> new TokenBucket(THOUSAND_PER_SECOND_BURST_5, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nanoTime");
    }

    @Test
    void onlyAFullBucketCanBeRetired() {
        TokenBucket bucket = bucket(RateLimit.of(1000, 2));
        bucket.tryAcquire();
        assertThat(bucket.retireIfFull(nanos.get() + MS - 1)).isFalse();
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.retireIfFull(nanos.get() + 2 * MS)).isTrue();
    }

    @Test
    void retiredBucketGrantsNothingMore() {
        TokenBucket bucket = bucket(THOUSAND_PER_SECOND_BURST_5);
        assertThat(bucket.retireIfFull(nanos.get())).isTrue();
        assertThat(bucket.acquireUnlessRetired(nanos.addAndGet(TimeUnit.HOURS.toNanos(1)))).isEqualTo(-1);
        assertThat(bucket.retireIfFull(nanos.get())).isTrue();
    }

    @Test
    void concurrentAcquiresAtOneInstantGrantExactlyTheBurst() throws Exception {
        TokenBucket bucket = bucket(RateLimit.of(1000, 100));
        assertThat(hammer(4, 5_000, thread -> bucket.tryAcquire() == 0 ? 1 : 0)).isEqualTo(100);
    }

    @Test
    void concurrentAcquiresWhileTimeAdvancesNeverExceedBurstPlusRefill() throws Exception {
        TokenBucket bucket = bucket(RateLimit.of(1000, 10));
        long start = nanos.get();
        AtomicLong attempts = new AtomicLong();
        int granted = hammer(4, 10_000, thread -> {
            if (thread == 0 && attempts.incrementAndGet() % 10 == 0) {
                nanos.addAndGet(MS / 10);
            }
            return bucket.tryAcquire() == 0 ? 1 : 0;
        });
        long refilled = (nanos.get() - start) / MS;
        assertThat(refilled).isEqualTo(100);
        assertThat(granted).isBetween(10, 10 + (int) refilled);
    }

    /** Runs {@code attempts} calls of {@code attempt} (given the thread's index) on each of the threads. */
    static int hammer(int threads, int attempts, IntUnaryOperator attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    assertThat(start.await(10, TimeUnit.SECONDS)).isTrue();
                    int sum = 0;
                    for (int i = 0; i < attempts; i++) {
                        sum += attempt.applyAsInt(thread);
                    }
                    return sum;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(30, TimeUnit.SECONDS);
            }
            return total;
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
