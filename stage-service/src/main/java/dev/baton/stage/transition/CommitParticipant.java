package dev.baton.stage.transition;

import dev.baton.stage.pipeline.Transition;

/**
 * A feature whose rows join the commit of a stage change, in the same statement as the stage CAS
 * (so they exist iff the change committed). The rows themselves are written by
 * {@code stage.record_stage_change} (V10); a participant says, per change, whether its part is
 * wanted. The history row and the transition event are the protocol's own and always written.
 */
public interface CommitParticipant {

    /** The parts of the commit statement a participant can switch on. */
    enum Part {
        /** Drop a job still queued for the stage left; queue the new stage's job (and JobQueued). */
        QUEUE_JOB,
        /** A {@code plane_sync} row for a task that has a Plane work item. */
        PLANE_SYNC
    }

    /** The part this participant wants written with {@code transition}, or null for none. */
    Part join(Transition transition);
}
