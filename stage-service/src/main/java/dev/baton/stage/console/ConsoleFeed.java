package dev.baton.stage.console;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells open consoles that something committed. Every committed transition, job fact and alert
 * writes an outbox row in its own transaction, so the outbox's newest id moving is exactly "a
 * commit happened" — on any replica, and never before the commit. While at least one console
 * listens, one cheap query per poll ({@code max(id)} on the primary key) watches it; with no
 * listener nothing runs. The protocol itself is untouched: no hook in the transition path, and
 * no NOTIFY (which would serialise every committing transaction on a global lock).
 */
@ApplicationScoped
public class ConsoleFeed {

    private static final Logger LOG = Logger.getLogger(ConsoleFeed.class);

    private final Pool pool;
    private final ConsoleRepository console;
    private final BroadcastProcessor<Long> changes = BroadcastProcessor.create();
    private final AtomicInteger listeners = new AtomicInteger();
    private final AtomicLong head = new AtomicLong(-1);

    public ConsoleFeed(Pool pool, ConsoleRepository console) {
        this.pool = pool;
        this.console = console;
    }

    void onStop(@Observes ShutdownEvent event) {
        changes.onComplete();
    }

    /** The outbox head each time it moves, for as long as the subscriber stays. */
    public Multi<Long> changes() {
        return changes
                .onSubscription().invoke(() -> listeners.incrementAndGet())
                .onTermination().invoke(() -> listeners.decrementAndGet());
    }

    /** Every {@code baton.console.live-poll}; a failed look is tried again at the next one. */
    @Scheduled(identity = "console-feed", every = "${baton.console.live-poll:1s}",
            delayed = "${baton.console.live-poll:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> look() {
        if (listeners.get() == 0) {
            head.set(-1);
            return Uni.createFrom().voidItem();
        }
        return console.head(pool).invoke(now -> {
            // The first look after a quiet spell also counts as a change: a commit may have slipped in
            // between a page's render and its subscription.
            if (head.getAndSet(now) != now) {
                changes.onNext(now);
            }
        }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("console feed look failed, the next one will retry: %s", failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }
}
