package io.herald.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until a test moves it, with millisecond precision. Thread-safe: the
 * instant is one {@link AtomicLong} of epoch milliseconds, so a test thread may move it while the code
 * under test reads it. Clocks derived with {@link #withZone} share the same instant.
 */
public final class MutableClock extends Clock {
    /** The instant a clock made with {@link #MutableClock()} starts at: 2024-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2024-01-01T00:00:00Z");

    private final AtomicLong millis;
    private final ZoneId zone;

    /** Creates a UTC clock at {@link #DEFAULT_START}. */
    public MutableClock() {
        this(DEFAULT_START);
    }

    /**
     * Creates a UTC clock.
     *
     * @param start the first instant it reports, truncated to milliseconds
     */
    public MutableClock(Instant start) {
        this(new AtomicLong(start.toEpochMilli()), ZoneOffset.UTC);
    }

    private MutableClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    /**
     * Moves the clock.
     *
     * @param amount how far, truncated to milliseconds; negative moves it back
     * @return the new instant
     */
    public Instant advance(Duration amount) {
        return Instant.ofEpochMilli(millis.addAndGet(amount.toMillis()));
    }

    /**
     * Sets the clock.
     *
     * @param instant the instant it reports from now on, truncated to milliseconds
     */
    public void set(Instant instant) {
        millis.set(instant.toEpochMilli());
    }

    /** @return the current instant, in epoch milliseconds */
    @Override
    public long millis() {
        return millis.get();
    }

    /** @return the current instant */
    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    /** @return the zone, UTC unless derived with {@link #withZone} */
    @Override
    public ZoneId getZone() {
        return zone;
    }

    /**
     * @param newZone the zone of the derived clock
     * @return a clock in {@code newZone} that shares this clock's instant
     */
    @Override
    public Clock withZone(ZoneId newZone) {
        return new MutableClock(millis, Objects.requireNonNull(newZone, "newZone"));
    }
}
