package dev.baton.runner.workspace;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Removes failed jobs' workspaces and old logs once they are older than {@code BATON_RUNNER_KEEP_FAILED}. */
@ApplicationScoped
public class WorkspaceJanitor {

    private final Workspaces workspaces;

    public WorkspaceJanitor(Workspaces workspaces) {
        this.workspaces = workspaces;
    }

    @Scheduled(every = "10m", delay = 1, delayUnit = java.util.concurrent.TimeUnit.MINUTES,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void sweep() {
        workspaces.sweep();
    }
}
