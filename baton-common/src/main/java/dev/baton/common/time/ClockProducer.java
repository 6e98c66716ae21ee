package dev.baton.common.time;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Every service's time source: code that decides by time (a ceiling, a grace, a 48-hour rule, a
 * rate budget) injects this clock, so a test moves time instead of sleeping (the shared
 * {@code TestClock} of baton-infra replaces it).
 */
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
