package dev.baton.notifier.client;

import java.time.Duration;

/**
 * How a sender waits for its chat's budget. Production sleeps; a test that runs a long burst at
 * the real per-chat limit moves the test clock instead, so the budget is kept in the clock's time.
 */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;
}
