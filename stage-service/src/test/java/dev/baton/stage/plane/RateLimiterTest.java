package dev.baton.stage.plane;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-28T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void staysUnderTheLimitInAnySixtySeconds() {
        MovableClock clock = new MovableClock();
        RateLimiter limiter = new RateLimiter(50, clock);
        for (int i = 0; i < 50; i++) {
            assertTrue(limiter.tryAcquire(), "permit " + i);
            clock.now = clock.now.plusMillis(100);
        }
        assertFalse(limiter.tryAcquire(), "the 51st within a minute");
        clock.now = Instant.parse("2026-11-28T00:01:00Z");
        assertTrue(limiter.tryAcquire(), "the first permit left the window");
        assertFalse(limiter.tryAcquire(), "only one did");
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertTrue(limiter.tryAcquire());
    }
}
