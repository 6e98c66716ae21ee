package dev.baton.stage.recovery;

import dev.baton.stage.lease.InFlight;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.transition.LeaseReclaimService;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;


/**
 * {@code recover_on_startup}, then the same sweep periodically: run the
 * {@link BeforeLeaseRecovery} steps, reclaim every lease whose owner process is gone, and
 * re-drive its transition to completion through the effect ledger. Several replicas may
 * sweep at once: the reclaim is a CAS, so each lease is re-driven by exactly one of them.
 */
@ApplicationScoped
public class RecoveryService {

    private static final Logger LOG = Logger.getLogger(RecoveryService.class);
    static final String RECLAIMER = "recovery";

    private final LeaseReclaimService reclaims;
    private final Instance<BeforeLeaseRecovery> before;
    private final Pool pool;
    private final LeaseRepository leases;
    private final InFlight inFlight;

    public RecoveryService(LeaseReclaimService reclaims, Instance<BeforeLeaseRecovery> before, Pool pool,
                           LeaseRepository leases, InFlight inFlight) {
        this.reclaims = reclaims;
        this.before = before;
        this.pool = pool;
        this.leases = leases;
        this.inFlight = inFlight;
    }

    /** After liveness registered (lower priority runs later): the first sweep; {@link #sweep} the periodic ones. */
    void onStart(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        Multi.createFrom().iterable(before).onItem().transformToUniAndConcatenate(BeforeLeaseRecovery::run)
                .collect().last()
                .flatMap(ignored -> sweepNow())
                .subscribe().with(ignored -> { }, failure -> {
                    LOG.errorf("start-up recovery failed; stale leases are left to the next sweep: %s",
                            failure.getMessage());
                });
    }

    /**
     * Every {@code baton.recovery.interval}, first one interval after start (the start-up sweep
     * covers the start). Overlap with the start-up sweep is harmless: each reclaim is a CAS.
     */
    @Scheduled(identity = "recovery-sweep", every = "${baton.recovery.interval:30s}",
            delayed = "${baton.recovery.interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> sweep() {
        return sweepNow().replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("recovery sweep failed, the next one will retry: %s", failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * Reclaims and re-drives every stale lease, then forgets registrations that are gone. Nothing once
     * shutdown began: the other replicas sweep, and this one's pool is about to close.
     */
    public Uni<Integer> sweepNow() {
        if (inFlight.draining()) {
            return Uni.createFrom().item(0);
        }
        return reclaims.recoverStaleLeases(RECLAIMER)
                .call(recovered -> pool.withConnection(leases::forgetDeadInstances))
                .invoke(recovered -> {
                    if (recovered > 0) {
                        LOG.infof("recovered %d transition(s) of dead owners", recovered);
                    }
                });
    }
}
