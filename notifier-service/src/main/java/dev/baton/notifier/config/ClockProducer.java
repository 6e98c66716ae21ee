package dev.baton.notifier.config;

import dev.baton.notifier.client.Sleeper;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Time comes from an injectable clock, so the 48-hour and rate-limit rules are testable. */
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Waiting for a chat's budget sleeps the thread (a chat sender's own, never the event loop). */
    @Produces
    @Singleton
    @DefaultBean
    Sleeper sleeper() {
        return duration -> Thread.sleep(duration.toMillis());
    }
}
