package dev.baton.reaper.deploy;

/** What the deploy finalizer did about one task in {@code deploy} in one sweep. */
public record DeployDecision(String taskId, Action action, String detail) {

    /** The finalizer's possible moves on one task. */
    public enum Action {
        /** A live lease owner is transitioning the task: look again next sweep. */
        DEFERRED,
        /** The run is still going, or not visible yet. */
        WAITING,
        /** The run succeeded: recorded, and {@code deploy → done} asked. */
        FINISHED,
        /** The run failed: recorded, and the rollback asked. */
        ROLLED_BACK,
        /** Nothing to follow (the task left deploy, or no deploy effect is recorded). */
        SKIPPED,
        /** stage-service or Gitea gave no usable answer: look again next sweep. */
        RETRY
    }
}
