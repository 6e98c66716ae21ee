package dev.baton.common;

import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * How a consumer waits out a database that refuses (a PostgreSQL restart, a failover): the step is
 * tried again, backing off to {@link #MAX_BACKOFF}, until the database takes it, and the record is
 * acknowledged only then. Never nacked: a nack under the connector's {@code fail} strategy stops the
 * channel for good, which is how a PostgreSQL restart once left every later webhook unapplied while
 * the service stayed ready. Never skipped: the record is the only copy of the event.
 *
 * <p>A record held this way keeps its partition's committed offset where it is (a crash re-delivers
 * it, and the step is idempotent); the connector's limit on an unacknowledged record's age is off
 * for these channels ({@code throttled.unprocessed-record-max-age.ms=0}) so that an outage longer
 * than a minute does not turn into a stopped consumer.
 */
public final class UntilStored {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** One warning per this many failed tries of one record: an outage is visible, not a flood. */
    private static final int WARN_EVERY = 10;

    private UntilStored() {
    }

    /**
     * @param step the database step, built anew for every try
     * @param what names the record in the warning (event type and id, never a payload)
     */
    public static <T> Uni<T> retry(Supplier<Uni<T>> step, Supplier<String> what, Logger log) {
        AtomicInteger failures = new AtomicInteger();
        return Uni.createFrom().<T>deferred(step::get)
                .onFailure().invoke(failure -> {
                    int n = failures.incrementAndGet();
                    if (n % WARN_EVERY == 1) {
                        log.warnf("%s not stored yet (try %d), trying again: %s", what.get(), n, failure.getMessage());
                    }
                })
                .onFailure().retry().withBackOff(FIRST_BACKOFF, MAX_BACKOFF).indefinitely();
    }
}
