package dev.baton.reaper.schedule;

import dev.baton.reaper.deploy.DeployFinalizer;
import dev.baton.reaper.job.JobReaper;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The periodic actors' rhythm. The methods return {@link Uni}, so the scheduler subscribes on the
 * event loop and nothing here blocks; a sweep still running when the next is due is skipped.
 */
@ApplicationScoped
public class Sweeps {

    private final JobReaper reaper;
    private final DeployFinalizer finalizer;

    public Sweeps(JobReaper reaper, DeployFinalizer finalizer) {
        this.reaper = reaper;
        this.finalizer = finalizer;
    }

    @Scheduled(identity = "job-reaper", every = "${baton.reaper.interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reapJobs() {
        return reaper.sweep().replaceWithVoid();
    }

    @Scheduled(identity = "deploy-finalizer", every = "${baton.finalizer.interval:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> finalizeDeploys() {
        return finalizer.sweep().replaceWithVoid();
    }
}
