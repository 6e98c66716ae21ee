package dev.baton.stage.job;

import dev.baton.stage.recovery.BeforeLeaseRecovery;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Start-up step before stale leases are re-driven: a running job with no exit code whose runner
 * has registered again under a new boot id lost its agent; on a stage without a rollback it goes
 * back to the queue (on one with a rollback it is the reaper's Tier 1). Jobs whose runner never
 * came back are left to the reaper's Tier 3.
 */
@ApplicationScoped
public class JobRecovery implements BeforeLeaseRecovery {

    private static final Logger LOG = Logger.getLogger(JobRecovery.class);

    private final Pool pool;
    private final JobRepository jobs;

    public JobRecovery(Pool pool, JobRepository jobs) {
        this.pool = pool;
        this.jobs = jobs;
    }

    @Override
    public Uni<Void> run() {
        return pool.withTransaction(c -> jobs.requeueOrphans(c, null)).invoke(requeued -> {
            if (!requeued.isEmpty()) {
                LOG.infof("requeued %d job(s) whose runner restarted: %s", requeued.size(),
                        requeued.stream().map(JobRepository.Requeued::id).toList());
            }
        }).replaceWithVoid();
    }
}
