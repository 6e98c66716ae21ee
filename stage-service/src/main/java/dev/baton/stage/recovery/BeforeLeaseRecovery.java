package dev.baton.stage.recovery;

import io.smallrye.mutiny.Uni;

/**
 * A start-up step that must run before stale leases are reclaimed (e.g. requeueing the jobs
 * whose runner is gone), so a re-driven transition sees the jobs in their recovered state.
 */
public interface BeforeLeaseRecovery {

    Uni<Void> run();
}
