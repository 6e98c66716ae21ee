package dev.baton.stage.lease;

import dev.baton.stage.config.LivenessConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This process's liveness: registered at start and held for life. While the registration is
 * lost, {@link #current()} is empty and the process enters no transition; it registers again
 * under a NEW boot id, so leases it held before are seen as stale and fenced off.
 */
@ApplicationScoped
public class Liveness {

    private static final Logger LOG = Logger.getLogger(Liveness.class);

    private final Vertx vertx;
    private final LivenessConfig config;
    private final InFlight inFlight;
    private final PgConnectOptions options;
    private final AtomicReference<LivenessRegistration> registration = new AtomicReference<>();
    private volatile boolean stopping;

    public Liveness(Vertx vertx, LivenessConfig config, InFlight inFlight,
                    @ConfigProperty(name = "baton.pg.url") String url,
                    @ConfigProperty(name = "baton.pg.user") String user,
                    @ConfigProperty(name = "baton.pg.password") String password) {
        this.vertx = vertx;
        this.config = config;
        this.inFlight = inFlight;
        this.options = connectOptions(url, user, password, config);
    }

    /** Connect options of a liveness connection: short server-side keepalives, a clear name. */
    public static PgConnectOptions connectOptions(String url, String user, String password, LivenessConfig config) {
        PgConnectOptions options = PgConnectOptions.fromUri(url).setUser(user).setPassword(password);
        options.addProperty("application_name", "baton-stage-liveness");
        options.addProperty("tcp_keepalives_idle", String.valueOf(config.keepalivesIdleSeconds()));
        options.addProperty("tcp_keepalives_interval", String.valueOf(config.keepalivesIntervalSeconds()));
        options.addProperty("tcp_keepalives_count", String.valueOf(config.keepalivesCount()));
        return options;
    }

    /** Registers before the service takes traffic; a database that cannot be reached fails the start. */
    void onStart(@Observes StartupEvent event) {
        register().await().atMost(Duration.ofSeconds(30));
    }

    /**
     * SIGTERM, after the HTTP server finished the requests it had: the lock is kept while transitions
     * this process entered still run (their leases stay live, so no survivor re-drives them under
     * their feet), for at most {@code BATON_LIVENESS_DRAIN_TIMEOUT}; then the connection closes and
     * whatever still runs is the survivors' to recover.
     */
    void onStop(@Observes ShutdownEvent event) {
        drainThenRelease(config.drainTimeout());
    }

    /** @return whether every transition in flight ended before the lock was released */
    boolean drainThenRelease(Duration limit) {
        inFlight.beginDrain();
        boolean drained = inFlight.awaitIdle(limit);
        if (drained) {
            LOG.info("no transition in flight: releasing the liveness lock");
        } else {
            LOG.warnf("%d transition(s) still in flight after %s: releasing the liveness lock, their leases are "
                    + "left to the other instances' recovery", inFlight.running(), limit);
        }
        stopping = true;
        LivenessRegistration current = registration.getAndSet(null);
        if (current != null) {
            current.close().await().atMost(Duration.ofSeconds(5));
        }
        return drained;
    }

    /** The identity that may own leases now, or empty while the registration is lost. */
    public Optional<ProcessIdentity> current() {
        LivenessRegistration current = registration.get();
        return current == null ? Optional.empty() : Optional.of(current.identity());
    }

    /** The registration itself, for fault tests that sever it. */
    public Optional<LivenessRegistration> registration() {
        return Optional.ofNullable(registration.get());
    }

    /**
     * {@code identity}'s registration row turned out to be gone while its lock is still held: drop
     * the registration as if its connection had been lost, so this process registers again under
     * a new boot id and is not ready meanwhile. A no-op for any other identity (already replaced).
     */
    public void forget(ProcessIdentity identity) {
        LivenessRegistration current = registration.get();
        if (current != null && current.identity().equals(identity)) {
            LOG.warnf("registration %s is gone from stage.instance: registering again", identity.bootId());
            current.sever().subscribe().with(ok -> { }, failure -> lost());
        }
    }

    private Uni<Void> register() {
        return LivenessRegistration.open(vertx, options, ProcessHandle.current().pid(), host(), this::lost)
                .invoke(r -> {
                    registration.set(r);
                    LOG.infof("registered as boot id %s (pid %d, host %s)", r.identity().bootId(),
                            r.identity().pid(), r.identity().host());
                })
                .replaceWithVoid();
    }

    private void lost() {
        LivenessRegistration previous = registration.getAndSet(null);
        if (stopping) {
            return;
        }
        LOG.warnf("liveness connection lost (boot id %s): entering no transition until registered again",
                previous == null ? "?" : previous.identity().bootId());
        retry();
    }

    private void retry() {
        vertx.setTimer(config.reconnectDelay().toMillis(), id -> register().subscribe().with(
                ok -> { },
                failure -> {
                    LOG.warnf("cannot register again: %s", failure.getMessage());
                    if (!stopping) {
                        retry();
                    }
                }));
    }

    private String host() {
        return config.host().or(() -> Optional.ofNullable(System.getenv("HOSTNAME")))
                .filter(h -> !h.isBlank())
                .orElseGet(() -> {
                    try {
                        return java.net.InetAddress.getLocalHost().getHostName();
                    } catch (java.net.UnknownHostException e) {
                        return "unknown";
                    }
                });
    }
}
