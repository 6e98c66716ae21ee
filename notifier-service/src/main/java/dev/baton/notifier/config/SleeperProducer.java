package dev.baton.notifier.config;

import dev.baton.notifier.client.Sleeper;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Waiting for a chat's budget sleeps the thread (a chat sender's own, never the event loop); tests
 * replace the sleeper so that waiting moves the shared {@code TestClock} instead. The clock itself
 * is baton-common's {@code ClockProducer}.
 */
public class SleeperProducer {

    @Produces
    @Singleton
    @DefaultBean
    Sleeper sleeper() {
        return duration -> Thread.sleep(duration.toMillis());
    }
}
