package dev.baton.reaper.client;

/**
 * What {@code POST /jobs/{id}/claim} established.
 *
 * @param jobStatus the job's status after the call (ours when won, the winner's when lost)
 */
public record ClaimResult(Outcome outcome, String jobStatus, String detail) {

    /** Won: only this caller may act. Lost: someone else did; do nothing. Unknown: no usable answer. */
    public enum Outcome { WON, LOST, UNKNOWN }

    public boolean won() {
        return outcome == Outcome.WON;
    }
}
