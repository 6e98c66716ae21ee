package dev.baton.stage.transition;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a transition request ended, with the HTTP status it is answered with. */
public enum Outcome {
    /** This call moved the task. */
    ADVANCED("advanced", 200),
    /** The task was already at the target stage: nothing done. */
    ALREADY("already", 200),
    /** A live owner holds the lease: nothing done, try later. */
    DEFERRED("deferred", 409),
    /** The stage CAS found another stage at commit: no event, lease released. */
    LOST_RACE("lost-race", 409),
    /** The stage is neither the expected one nor the target. */
    CONFLICT("conflict", 409),
    /** Our lease was reclaimed (fencing token moved on) before we committed: nothing committed. */
    FENCED("fenced", 409),
    /** The stage's quality gates do not allow the advance; the body carries the verdict (rollback target). */
    GATES_FAILED("gates-failed", 409),
    /** An effect certainly did not happen; the stage is unchanged. */
    EFFECT_FAILED("effect-failed", 502),
    /** An effect's outcome cannot be established; it waits for the outside system or an operator. */
    IN_DOUBT("in-doubt", 409);

    private final String key;
    private final int status;

    Outcome(String key, int status) {
        this.key = key;
        this.status = status;
    }

    @JsonValue
    public String key() {
        return key;
    }

    public int status() {
        return status;
    }
}
