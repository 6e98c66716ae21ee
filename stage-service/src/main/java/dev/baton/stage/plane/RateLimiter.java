package dev.baton.stage.plane;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/** A sliding one-minute window: at most {@code perMinute} permits in any 60 s. */
final class RateLimiter {

    private final int perMinute;
    private final Clock clock;
    private final Deque<Instant> granted = new ArrayDeque<>();

    RateLimiter(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Takes a permit if one is free now. */
    synchronized boolean tryAcquire() {
        Instant now = clock.instant();
        while (!granted.isEmpty() && Duration.between(granted.peekFirst(), now).compareTo(Duration.ofMinutes(1)) >= 0) {
            granted.pollFirst();
        }
        if (granted.size() >= perMinute) {
            return false;
        }
        granted.addLast(now);
        return true;
    }
}
