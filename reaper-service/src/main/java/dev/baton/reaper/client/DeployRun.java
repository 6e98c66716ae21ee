package dev.baton.reaper.client;

/**
 * A deploy run as Gitea reports it.
 *
 * @param runId Gitea's run id, or 0 when no run carries the key
 * @param detail Gitea's status/conclusion, or why there is no answer
 */
public record DeployRun(State state, long runId, String detail) {

    /** Where the run is. */
    public enum State {
        /** Queued or running. */
        PENDING,
        /** Completed successfully. */
        SUCCESS,
        /** Completed with failure, cancelled or timed out. */
        FAILURE,
        /** No run carries the key (yet). */
        NOT_FOUND,
        /** Gitea gave no usable answer. */
        UNKNOWN
    }
}
