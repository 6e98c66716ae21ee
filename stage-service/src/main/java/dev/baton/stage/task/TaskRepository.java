package dev.baton.stage.task;

import dev.baton.stage.Task;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tasks and their stage history. Only the transition statements of {@code V10__transition_fast_path.sql}
 * ({@code dev.baton.stage.transition.TransitionRepository}) write {@code task.stage}.
 */
@ApplicationScoped
public class TaskRepository {

    static final String INSERT = """
            INSERT INTO stage.task (id, repo, title, stage, plane_project, plane_issue) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO NOTHING
            RETURNING id, repo, title, stage, version, created_at, updated_at, plane_project, plane_issue""";
    static final String FIND = """
            SELECT id, repo, title, stage, version, created_at, updated_at, plane_project, plane_issue
            FROM stage.task WHERE id = $1""";
    static final String INSERT_HISTORY = """
            INSERT INTO stage.stage_history (task_id, from_stage, to_stage, actor, reason, kind, token, guarded, request_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""";
    static final String HISTORY = """
            SELECT from_stage, to_stage, actor, reason, kind, token, guarded, request_id, at
            FROM stage.stage_history WHERE task_id = $1 ORDER BY id""";
    static final String FIND_BY_PLANE_ISSUE = """
            SELECT id, repo, title, stage, version, created_at, updated_at, plane_project, plane_issue
            FROM stage.task WHERE plane_issue = $1""";
    static final String COUNT_BY_STAGE = "SELECT stage, count(*) AS n FROM stage.task GROUP BY stage";
    /**
     * Tasks outside the terminal stages ($1), with the status of their newest Plane sync: the
     * reconciler must not judge a Plane state that a pending (or given-up) sync has yet to move.
     */
    static final String ACTIVE = """
            SELECT t.id, t.stage, t.plane_project, t.plane_issue,
                   (SELECT s.status FROM stage.plane_sync s WHERE s.task_id = t.id
                    ORDER BY s.version DESC LIMIT 1) AS plane_sync
            FROM stage.task t WHERE t.stage <> ALL($1::text[]) ORDER BY t.id""";

    /** One row of a task's history. */
    public record HistoryEntry(String from, String to, String actor, String reason, String kind, Long token,
                               boolean guarded, String requestId, java.time.Instant at) {
    }

    /**
     * An active task as the reconciler reads it.
     *
     * @param planeSync status of the newest Plane sync ({@code pending}, {@code done}, {@code failed}), null if none
     */
    public record ActiveTask(String id, String stage, String planeProject, String planeIssue, String planeSync) {
    }

    /** @return the created task, or empty if a task with this id exists */
    public Uni<Optional<Task>> insert(SqlClient client, String id, String repo, String title, String stage,
                                      String planeProject, String planeIssue) {
        return client.preparedQuery(INSERT).execute(Tuple.of(id, repo, title, stage, planeProject, planeIssue))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(Task.from(rows.iterator().next())));
    }

    /** Tasks in none of {@code terminalStages}, by id. */
    public Uni<List<ActiveTask>> active(SqlClient client, List<String> terminalStages) {
        return client.preparedQuery(ACTIVE).execute(Tuple.of(terminalStages.toArray(new String[0])))
                .map(rows -> {
                    List<ActiveTask> active = new java.util.ArrayList<>();
                    for (Row row : rows) {
                        active.add(new ActiveTask(row.getString("id"), row.getString("stage"),
                                row.getString("plane_project"), row.getString("plane_issue"),
                                row.getString("plane_sync")));
                    }
                    return active;
                });
    }

    public Uni<Optional<Task>> find(SqlClient client, String id) {
        return client.preparedQuery(FIND).execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(Task.from(rows.iterator().next())));
    }

    public Uni<Optional<Task>> findByPlaneIssue(SqlClient client, String planeIssue) {
        return client.preparedQuery(FIND_BY_PLANE_ISSUE).execute(Tuple.of(planeIssue))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(Task.from(rows.iterator().next())));
    }

    public Uni<Void> insertHistory(SqlClient client, String taskId, String from, String to, String actor, String reason,
                                   String kind, Long token, boolean guarded, String requestId) {
        return client.preparedQuery(INSERT_HISTORY)
                .execute(Tuple.from(new Object[] {taskId, from, to, actor, reason, kind, token, guarded, requestId}))
                .replaceWithVoid();
    }

    public Uni<List<HistoryEntry>> history(SqlClient client, String taskId) {
        return client.preparedQuery(HISTORY).execute(Tuple.of(taskId)).map(rows -> {
            List<HistoryEntry> entries = new java.util.ArrayList<>();
            for (Row row : rows) {
                entries.add(new HistoryEntry(row.getString("from_stage"), row.getString("to_stage"),
                        row.getString("actor"), row.getString("reason"), row.getString("kind"), row.getLong("token"),
                        row.getBoolean("guarded"), row.getString("request_id"),
                        row.getOffsetDateTime("at").toInstant()));
            }
            return entries;
        });
    }

    public Uni<Map<String, Long>> countByStage(SqlClient client) {
        return client.query(COUNT_BY_STAGE).execute().map(rows -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            rows.forEach(row -> counts.put(row.getString("stage"), row.getLong("n")));
            return counts;
        });
    }
}
