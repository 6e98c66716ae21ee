package dev.baton.stage.plane;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Pending Plane syncs, written in the transition's commit and drained by {@link PlaneSyncWorker}. */
@ApplicationScoped
public class PlaneSyncRepository {

    static final String ADD = """
            INSERT INTO stage.plane_sync (task_id, version, from_stage, to_stage, token, actor)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (task_id, version) DO NOTHING""";
    static final String DUE = """
            SELECT s.id, s.task_id, s.version, s.from_stage, s.to_stage, s.token, s.actor, s.attempts,
                   t.plane_project, t.plane_issue
            FROM stage.plane_sync s JOIN stage.task t ON t.id = s.task_id
            WHERE s.status = 'pending' AND s.next_at <= now()
            ORDER BY s.id LIMIT $1""";
    static final String DONE = "UPDATE stage.plane_sync SET status = 'done', last_error = NULL WHERE id = $1 AND status = 'pending'";
    /** Backs off exponentially (capped at 5 min); past the attempts, the sync is given up. */
    static final String RETRY = """
            UPDATE stage.plane_sync
            SET attempts = attempts + 1, last_error = $2,
                status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
                next_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts))
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

    public Uni<Void> add(SqlClient client, String taskId, long version, String from, String to, Long token,
                         String actor) {
        return client.preparedQuery(ADD).execute(Tuple.of(taskId, version, from, to, token, actor)).replaceWithVoid();
    }

    public Uni<List<Sync>> due(SqlClient client, int limit) {
        return client.preparedQuery(DUE).execute(Tuple.of(limit)).map(rows -> {
            List<Sync> due = new ArrayList<>();
            for (Row row : rows) {
                due.add(new Sync(row.getLong("id"), row.getString("task_id"), row.getLong("version"),
                        row.getString("from_stage"), row.getString("to_stage"), row.getLong("token"),
                        row.getString("actor"), row.getInteger("attempts"), row.getString("plane_project"),
                        row.getString("plane_issue")));
            }
            return due;
        });
    }

    public Uni<Void> done(SqlClient client, long id) {
        return client.preparedQuery(DONE).execute(Tuple.of(id)).replaceWithVoid();
    }

    /** @return true if the sync was given up */
    public Uni<Boolean> retry(SqlClient client, long id, String error, int attempts) {
        return client.preparedQuery(RETRY).execute(Tuple.of(id, error, attempts))
                .map(rows -> rows.rowCount() == 1 && "failed".equals(rows.iterator().next().getString("status")));
    }
}
