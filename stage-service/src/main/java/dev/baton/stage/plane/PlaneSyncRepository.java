package dev.baton.stage.plane;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pending Plane syncs, written by the transition's commit statement ({@code stage.record_stage_change})
 * and drained by {@link PlaneSyncWorker}.
 */
@ApplicationScoped
public class PlaneSyncRepository {

    /**
     * Claims the due rows (at most $1) for $2 seconds: skipped by any replica that is claiming at
     * the same moment, and not due again for the others until the claim window ends. Only each
     * task's oldest pending row is due, so one task's updates reach Plane in commit order.
     */
    static final String CLAIM_DUE = """
            WITH due AS (
                SELECT s.id FROM stage.plane_sync s
                WHERE s.status = 'pending' AND s.next_at <= now()
                  AND NOT EXISTS (SELECT 1 FROM stage.plane_sync e
                                  WHERE e.task_id = s.task_id AND e.status = 'pending' AND e.id < s.id)
                ORDER BY s.id LIMIT $1
                FOR UPDATE OF s SKIP LOCKED)
            UPDATE stage.plane_sync s SET next_at = now() + make_interval(secs => $2)
            FROM due, stage.task t
            WHERE s.id = due.id AND t.id = s.task_id
            RETURNING s.id, s.task_id, s.version, s.from_stage, s.to_stage, s.token, s.actor, s.attempts,
                      t.plane_project, t.plane_issue""";
    /** Hands a claimed row back untouched (no budget to send it now): due again at once. */
    static final String UNCLAIM = "UPDATE stage.plane_sync SET next_at = now() WHERE id = $1 AND status = 'pending'";
    static final String DONE = "UPDATE stage.plane_sync SET status = 'done', last_error = NULL WHERE id = $1 AND status = 'pending'";
    /** Backs off exponentially (capped at 5 min), never sooner than Plane's Retry-After ($4 s); past the attempts, given up. */
    static final String RETRY = """
            UPDATE stage.plane_sync
            SET attempts = attempts + 1, last_error = $2,
                status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
                next_at = now() + greatest(least(interval '5 minutes', interval '1 second' * power(2, attempts)),
                                           interval '1 second' * $4)
            WHERE id = $1 AND status = 'pending'
            RETURNING status""";

    /** One sync to do. */
    public record Sync(long id, String taskId, long version, String from, String to, Long token, String actor,
                       int attempts, String planeProject, String planeIssue) {

        /** The comment's external id: one comment per work item and transition. */
        public String externalId() {
            return taskId + ":" + (token == null ? "v" + version : token);
        }
    }

    /** Claims due syncs for {@code claimSeconds}; oldest first. */
    public Uni<List<Sync>> claimDue(SqlClient client, int limit, long claimSeconds) {
        return client.preparedQuery(CLAIM_DUE).execute(Tuple.of(limit, claimSeconds)).map(rows -> {
            List<Sync> due = new ArrayList<>();
            for (Row row : rows) {
                due.add(new Sync(row.getLong("id"), row.getString("task_id"), row.getLong("version"),
                        row.getString("from_stage"), row.getString("to_stage"), row.getLong("token"),
                        row.getString("actor"), row.getInteger("attempts"), row.getString("plane_project"),
                        row.getString("plane_issue")));
            }
            due.sort(java.util.Comparator.comparingLong(Sync::id));
            return due;
        });
    }

    public Uni<Void> unclaim(SqlClient client, long id) {
        return client.preparedQuery(UNCLAIM).execute(Tuple.of(id)).replaceWithVoid();
    }

    public Uni<Void> done(SqlClient client, long id) {
        return client.preparedQuery(DONE).execute(Tuple.of(id)).replaceWithVoid();
    }

    /** @return true if the sync was given up */
    public Uni<Boolean> retry(SqlClient client, long id, String error, int attempts, Duration retryAfter) {
        return client.preparedQuery(RETRY).execute(Tuple.of(id, error, attempts, retryAfter.toSeconds()))
                .map(rows -> rows.rowCount() == 1 && "failed".equals(rows.iterator().next().getString("status")));
    }
}
