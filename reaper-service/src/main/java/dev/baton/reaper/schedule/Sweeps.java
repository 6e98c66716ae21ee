package dev.baton.reaper.schedule;

import dev.baton.reaper.deploy.DeployFinalizer;
import dev.baton.reaper.job.JobReaper;
import dev.baton.reaper.reconcile.PlaneReconciler;
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
    private final PlaneReconciler reconciler;

    public Sweeps(JobReaper reaper, DeployFinalizer finalizer, PlaneReconciler reconciler) {
        this.reaper = reaper;
        this.finalizer = finalizer;
        this.reconciler = reconciler;
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

    @Scheduled(identity = "plane-reconciler", every = "${baton.reconciler.interval:30s}", delayed = "15s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reconcilePlane() {
        return reconciler.sweep().replaceWithVoid();
    }
}
