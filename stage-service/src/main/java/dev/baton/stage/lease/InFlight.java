package dev.baton.stage.lease;

import dev.baton.stage.ProblemException;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The transitions this process is driving now, and the drain at shutdown. SIGTERM drains: running
 * work completes or is left for recovery, never half-done.
 *
 * <ol>
 *   <li>{@link #beginDrain()} (at SIGTERM, before the HTTP server stops taking requests): readiness
 *       goes down, a new transition is refused with 503 and {@code Retry-After} (another replica
 *       takes it), inbound records are left unacknowledged, the recovery sweep and the inbound retry
 *       loop start nothing new;</li>
 *   <li>{@link Liveness} keeps its lock until {@link #awaitIdle} says the running ones ended, bounded
 *       by {@code BATON_LIVENESS_DRAIN_TIMEOUT}, and only then closes the liveness connection: a
 *       transition still running after that has its lease judged stale by the survivors, who re-drive
 *       it through the effect ledger, and the fencing token makes this process's late commit a no-op.</li>
 * </ol>
 * The counter is taken before the drain flag is read and the drain flag is set before the counter is
 * read, so a transition either is counted by the drain or sees the drain and refuses itself.
 */
@ApplicationScoped
public class InFlight {

    private static final Logger LOG = Logger.getLogger(InFlight.class);
    /** Another replica is ready now; a client that has only this one retries after its restart. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final AtomicInteger running = new AtomicInteger();
    private final Object idle = new Object();
    private volatile boolean draining;

    /**
     * Runs {@code work} counted as in flight until it ends (item, failure or cancellation); refused
     * with 503 while draining. The work is built at subscription, so a Uni assembled before the drain
     * and subscribed after it is refused too.
     */
    public <T> Uni<T> admit(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            running.incrementAndGet();
            if (draining) {
                ended();
                return Uni.createFrom().failure(refusal());
            }
            Uni<T> started;
            try {
                started = work.get();
            } catch (RuntimeException e) {
                ended();
                throw e;
            }
            return started.onTermination().invoke(this::ended);
        });
    }

    /** Shutdown has begun: nothing new is admitted. Idempotent. */
    public void beginDrain() {
        if (!draining) {
            draining = true;
            LOG.infof("shutting down: entering no new transition; %d in flight", running.get());
        }
    }

    /** The earliest hook of a SIGTERM ({@code quarkus.shutdown.delay-enabled}): readiness goes down with it. */
    void onShutdownBegins(@Observes ShutdownDelayInitiatedEvent event) {
        beginDrain();
    }

    public boolean draining() {
        return draining;
    }

    /** Transitions running now. */
    public int running() {
        return running.get();
    }

    /** Waits until nothing is in flight, at most {@code limit}. @return whether nothing is */
    public boolean awaitIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (idle) {
            while (running.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return running.get() == 0;
                }
            }
            return true;
        }
    }

    private void ended() {
        if (running.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private static ProblemException refusal() {
        return ProblemException.unavailable("this instance is shutting down and enters no new transition; "
                + "another instance takes it", RETRY_AFTER);
    }
}
