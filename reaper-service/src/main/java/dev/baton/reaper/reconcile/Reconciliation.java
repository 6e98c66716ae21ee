package dev.baton.reaper.reconcile;

/** What the reconciler did about one work item in one sweep. */
public record Reconciliation(String taskId, Action action, String detail) {

    /** The reconciler's possible moves on one work item. */
    public enum Action {
        /** Plane shows the task's stage. */
        AGREED,
        /** They disagreed; the transition to Plane's stage was asked and applied ({@code advanced}/{@code already}). */
        APPLIED,
        /** A live lease owner is transitioning the task: read again next sweep. */
        DEFERRED,
        /** The task moved while we looked ({@code lost-race}, {@code conflict}, {@code fenced}): nothing to do. */
        MOVED,
        /** Plane's state maps to no stage: alerted once ({@code PlaneDriftUnmapped}). */
        UNMAPPED,
        /** The drift cannot be resolved by a transition (refused, ambiguous, work item gone): alerted once. */
        UNRESOLVED,
        /** Plane or stage-service gave no usable answer: read again next sweep. */
        RETRY,
        /** Plane answered 429: this sweep stops, and the reconciler waits as long as Plane asked. */
        THROTTLED
    }
}
