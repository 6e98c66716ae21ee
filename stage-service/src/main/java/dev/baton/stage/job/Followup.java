package dev.baton.stage.job;

import dev.baton.stage.Actor;
import dev.baton.stage.transition.TransitionRequest;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The transition a job claim's winner asks for right after the claim: written with the claim, so
 * that it outlives a claimant that dies in between ({@link FollowupSweep}).
 *
 * @param requestId the claimant's own request id: a transition it made already answers {@code already}
 */
public record Followup(long jobId, String taskId, String from, String to, Actor actor, String requestId) {

    /** What a claimant says it asks for next: {@code to} from the job's stage, as {@code actor}. */
    public record Next(String to, Actor actor, String requestId) {
    }

    static Followup of(Job job, Next next) {
        return new Followup(job.id(), job.taskId(), job.stage(), next.to(), next.actor(), next.requestId());
    }

    /** The transition, asked again on the claimant's behalf. */
    TransitionRequest request() {
        return new TransitionRequest(taskId, from, to, actor, "follow-up of job " + jobId
                + "'s claim: its claimant (" + actor.key() + ") did not move the task", requestId);
    }

    static Followup from(Row row) {
        return new Followup(row.getLong("job_id"), row.getString("task_id"), row.getString("from_stage"),
                row.getString("to_stage"), Actor.fromKey(row.getString("actor")).orElseThrow(), row.getString("request_id"));
    }
}
