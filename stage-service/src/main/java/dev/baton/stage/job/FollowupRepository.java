package dev.baton.stage.job;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code stage.job_followup}: what each job claim's winner asks for next, until its task moved on. */
@ApplicationScoped
public class FollowupRepository {

    static final String INSERT = """
            INSERT INTO stage.job_followup (job_id, task_id, from_stage, to_stage, actor, request_id)
            VALUES ($1, $2, $3, $4, $5, $6)""";
    /**
     * Done: the task left the job's stage, or a newer job exists for it (it came back to the stage).
     * SKIP LOCKED: replicas sweeping at once never wait on each other's rows.
     */
    static final String SETTLED = """
            DELETE FROM stage.job_followup f
            WHERE f.job_id IN (SELECT d.job_id FROM stage.job_followup d
                               WHERE NOT EXISTS (SELECT 1 FROM stage.task t WHERE t.id = d.task_id AND t.stage = d.from_stage)
                                  OR EXISTS (SELECT 1 FROM stage.job n WHERE n.task_id = d.task_id AND n.id > d.job_id)
                               FOR UPDATE SKIP LOCKED)""";
    /**
     * Claims the follow-ups due: claimed (or last asked) more than {@code $1} seconds ago, on a task
     * no transition holds a lease on (a live owner is at work; a stale lease is recovery's, and an
     * in-doubt effect waits for its decision). SKIP LOCKED and the new {@code asked_at}: of several
     * replicas sweeping at once, each row goes to one, and again only a grace later.
     */
    static final String CLAIM_DUE = """
            UPDATE stage.job_followup f SET asked_at = now(), asks = f.asks + 1
            FROM (SELECT d.job_id FROM stage.job_followup d
                  WHERE coalesce(d.asked_at, d.claimed_at) < now() - make_interval(secs => $1)
                    AND NOT EXISTS (SELECT 1 FROM stage.transition_lease l WHERE l.task_id = d.task_id)
                  ORDER BY d.claimed_at, d.job_id LIMIT $2
                  FOR UPDATE SKIP LOCKED) due
            WHERE f.job_id = due.job_id
            RETURNING f.*""";
    static final String DELETE = "DELETE FROM stage.job_followup WHERE job_id = $1";

    public Uni<Void> insert(SqlClient client, Followup followup) {
        return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {followup.jobId(), followup.taskId(),
                followup.from(), followup.to(), followup.actor().key(), followup.requestId()})).replaceWithVoid();
    }

    /** @return how many follow-ups were done (their task moved on) and are forgotten */
    public Uni<Integer> forgetSettled(SqlClient client) {
        return client.query(SETTLED).execute().map(rows -> rows.rowCount());
    }

    public Uni<List<Followup>> claimDue(SqlClient client, Duration grace, int limit) {
        return client.preparedQuery(CLAIM_DUE).execute(Tuple.of(grace.toMillis() / 1000.0, limit)).map(rows -> {
            List<Followup> due = new ArrayList<>();
            rows.forEach(row -> due.add(Followup.from(row)));
            return due;
        });
    }

    public Uni<Void> delete(SqlClient client, long jobId) {
        return client.preparedQuery(DELETE).execute(Tuple.of(jobId)).replaceWithVoid();
    }
}
