package dev.baton.infra.test;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The application's clock in every service's tests (it replaces baton-common's {@code ClockProducer}):
 * a test moves time forward instead of sleeping. Real time plus an offset, so times the clock gives
 * and times PostgreSQL's {@code now()} writes stay comparable; or, with
 * {@code baton.test-clock.frozen-at} set, a fixed instant that moves only when a test moves it, for
 * tests that count exact thresholds.
 */
@Alternative
@Priority(1)
@Singleton
public class TestClock extends Clock {

    private final Instant frozenAt;
    private volatile Duration offset = Duration.ZERO;

    public TestClock(@ConfigProperty(name = "baton.test-clock.frozen-at") Optional<String> frozenAt) {
        this.frozenAt = frozenAt.map(Instant::parse).orElse(null);
    }

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    /** Back to the start: real time, or the frozen instant. */
    public void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public Instant instant() {
        return (frozenAt == null ? Instant.now() : frozenAt).plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
