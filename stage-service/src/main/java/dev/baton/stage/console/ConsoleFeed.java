package dev.baton.stage.console;

import dev.baton.stage.config.ConsoleConfig;
import dev.baton.stage.support.PeriodicPass;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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

    private final Pool pool;
    private final ConsoleRepository console;
    private final ConsoleConfig config;
    private final Vertx vertx;
    private final BroadcastProcessor<Long> changes = BroadcastProcessor.create();
    private final AtomicInteger listeners = new AtomicInteger();
    private final AtomicLong head = new AtomicLong(-1);
    private final PeriodicPass watch = new PeriodicPass("console feed", this::look);

    public ConsoleFeed(Pool pool, ConsoleRepository console, ConsoleConfig config, Vertx vertx) {
        this.pool = pool;
        this.console = console;
        this.config = config;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        watch.start(vertx, config.livePoll());
    }

    void onStop(@Observes ShutdownEvent event) {
        watch.stop(vertx);
        changes.onComplete();
    }

    /** The outbox head each time it moves, for as long as the subscriber stays. */
    public Multi<Long> changes() {
        return changes
                .onSubscription().invoke(() -> listeners.incrementAndGet())
                .onTermination().invoke(() -> listeners.decrementAndGet());
    }

    private Uni<Void> look() {
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
        }).replaceWithVoid();
    }
}
