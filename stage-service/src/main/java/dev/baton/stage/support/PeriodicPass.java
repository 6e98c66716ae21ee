package dev.baton.stage.support;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A background pass run on a Vert.x timer (never blocking the loop), which never overlaps
 * itself within a process: a tick that finds the previous pass still running is skipped.
 * Failures are logged and the next tick tries again.
 */
public final class PeriodicPass {

    private static final Logger LOG = Logger.getLogger(PeriodicPass.class);

    private final String name;
    private final Supplier<Uni<?>> pass;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    public PeriodicPass(String name, Supplier<Uni<?>> pass) {
        this.name = name;
        this.pass = pass;
    }

    public synchronized void start(Vertx vertx, Duration every) {
        timer = vertx.setPeriodic(every.toMillis(), id -> run());
    }

    public synchronized void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** Runs a pass now unless one is running. */
    public void run() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Uni.createFrom().deferred(pass).subscribe().with(done -> running.set(false), failure -> {
            LOG.warnf("%s pass failed, the next one will retry: %s", name, failure.getMessage());
            running.set(false);
        });
    }
}
