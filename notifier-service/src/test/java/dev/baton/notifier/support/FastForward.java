package dev.baton.notifier.support;

import dev.baton.infra.test.TestClock;
import dev.baton.notifier.client.Sleeper;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * The application's wait for a chat's budget in tests: a real sleep, unless a test turns fast
 * forward on, when the wait moves the {@link TestClock} instead. The budget is then kept in the
 * clock's time, which is what a test that checks every 60 s window reads.
 */
@Alternative
@Priority(1)
@Singleton
public class FastForward implements Sleeper {

    private final TestClock clock;
    private volatile boolean on;

    public FastForward(TestClock clock) {
        this.clock = clock;
    }

    public void on() {
        on = true;
    }

    public void off() {
        on = false;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (on) {
            clock.advance(duration);
        } else {
            Thread.sleep(duration.toMillis());
        }
    }
}
