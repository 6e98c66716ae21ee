package dev.baton.reaper.schedule;

import dev.baton.reaper.ReaperMetrics;
import dev.baton.reaper.deploy.DeployFinalizer;
import dev.baton.reaper.job.JobReaper;
import dev.baton.reaper.reconcile.PlaneReconciler;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The periodic actors' rhythm. The methods return {@link Uni}, so the scheduler subscribes on the
 * event loop and nothing here blocks; a sweep still running when the next is due is skipped. Each
 * finished sweep is counted ({@link ReaperMetrics}), whatever it found.
 */
@ApplicationScoped
public class Sweeps {

    private final JobReaper reaper;
    private final DeployFinalizer finalizer;
    private final PlaneReconciler reconciler;
    private final ReaperMetrics metrics;

    public Sweeps(JobReaper reaper, DeployFinalizer finalizer, PlaneReconciler reconciler, ReaperMetrics metrics) {
        this.reaper = reaper;
        this.finalizer = finalizer;
        this.reconciler = reconciler;
        this.metrics = metrics;
    }

    @Scheduled(identity = ReaperMetrics.JOB_REAPER, every = "${baton.reaper.interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> reapJobs() {
        return reaper.sweep().invoke(metrics::jobSweep).replaceWithVoid();
    }

    @Scheduled(identity = ReaperMetrics.DEPLOY_FINALIZER, every = "${baton.finalizer.interval:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> finalizeDeploys() {
        return finalizer.sweep().invoke(metrics::finalizerSweep).replaceWithVoid();
    }

    @Scheduled(identity = ReaperMetrics.PLANE_RECONCILER, every = "${baton.reconciler.interval:30s}", delayed = "15s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> reconcilePlane() {
        return reconciler.sweep().invoke(metrics::reconcilerSweep).replaceWithVoid();
    }
}
