package dev.baton.reaper.job;

/**
 * What the reaper did about one running job in one sweep.
 *
 * @param detail the reason, the claim's or the transition's answer
 */
public record Decision(long jobId, String taskId, Tier tier, Action action, String detail) {

    /** The reaper's possible moves on one job. */
    public enum Action {
        /** Not due. */
        LEFT,
        /** A live lease owner is transitioning the task: look again next sweep. */
        DEFERRED,
        /** Another actor claimed the job first: nothing done. */
        LOST,
        /** This reaper won the claim (and asked for the transition, if any). */
        REAPED,
        /** Tier 1 on a stage without rollback: stage-service's recovery requeues orphaned jobs. */
        LEFT_FOR_REQUEUE,
        /** stage-service gave no usable answer: look again next sweep. */
        RETRY
    }
}
