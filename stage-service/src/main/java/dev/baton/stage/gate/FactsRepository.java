package dev.baton.stage.gate;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The facts the quality gates read, and the coverage floor the ratchet raises. */
@ApplicationScoped
public class FactsRepository {

    static final String FACTS_OF = """
            SELECT t.id, t.repo, f.pr_number, f.pr_url, f.head_sha, f.pr_state, f.merge_sha, f.coverage,
                   c.floor AS coverage_floor, f.approved_by, f.staging_deploy, f.production_deploy,
                   (SELECT j.exit_code FROM stage.job j WHERE j.task_id = t.id AND j.stage = t.stage
                    ORDER BY j.id DESC LIMIT 1) AS last_exit_code
            FROM stage.task t
            LEFT JOIN stage.task_facts f ON f.task_id = t.id
            LEFT JOIN stage.coverage_floor c ON c.repo = t.repo
            """;
    static final String FACTS = FACTS_OF + "WHERE t.id = $1";
    /** The facts of many tasks in one statement (the console's board), instead of one per task. */
    static final String FACTS_MANY = FACTS_OF + "WHERE t.id = ANY($1::text[])";
    static final String STATUSES = "SELECT context, state FROM stage.commit_status WHERE repo = $1 AND sha = $2";
    /** The CI statuses of many (repo, sha) pairs in one statement. */
    static final String STATUSES_MANY = """
            SELECT s.repo, s.sha, s.context, s.state FROM stage.commit_status s
            JOIN unnest($1::text[], $2::text[]) AS p(repo, sha) ON p.repo = s.repo AND p.sha = s.sha""";
    static final String RECORD_PR = """
            INSERT INTO stage.task_facts (task_id, pr_number, pr_url, head_sha, pr_state)
            VALUES ($1, $2, $3, $4, 'open')
            ON CONFLICT (task_id) DO UPDATE SET pr_number = EXCLUDED.pr_number, pr_url = EXCLUDED.pr_url,
                head_sha = EXCLUDED.head_sha, pr_state = CASE WHEN stage.task_facts.pr_state = 'merged'
                    AND stage.task_facts.pr_number = EXCLUDED.pr_number THEN 'merged' ELSE 'open' END,
                updated_at = now()""";
    static final String RECORD_MERGED = """
            INSERT INTO stage.task_facts (task_id, pr_state, merge_sha) VALUES ($1, 'merged', $2)
            ON CONFLICT (task_id) DO UPDATE SET pr_state = 'merged', merge_sha = coalesce(EXCLUDED.merge_sha,
                stage.task_facts.merge_sha), updated_at = now()""";
    static final String RECORD_CLOSED = """
            UPDATE stage.task_facts SET pr_state = 'closed', updated_at = now()
            WHERE task_id = $1 AND pr_number = $2 AND pr_state = 'open'""";
    static final String RECORD_RUN = """
            INSERT INTO stage.workflow_run (repo, run_id, name, conclusion, head_sha, task_id)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (repo, run_id) DO UPDATE SET conclusion = EXCLUDED.conclusion, updated_at = now()""";
    static final String RECORD_COVERAGE = """
            INSERT INTO stage.task_facts (task_id, coverage) VALUES ($1, $2)
            ON CONFLICT (task_id) DO UPDATE SET coverage = EXCLUDED.coverage, updated_at = now()""";
    static final String RECORD_APPROVAL = """
            INSERT INTO stage.task_facts (task_id, approved_by, approved_at) VALUES ($1, $2, now())
            ON CONFLICT (task_id) DO UPDATE SET approved_by = EXCLUDED.approved_by, approved_at = now(),
                updated_at = now()""";
    static final String RECORD_DEPLOY = """
            INSERT INTO stage.task_facts (task_id, staging_deploy, production_deploy) VALUES ($1, $2, $3)
            ON CONFLICT (task_id) DO UPDATE SET
                staging_deploy = coalesce(EXCLUDED.staging_deploy, stage.task_facts.staging_deploy),
                production_deploy = coalesce(EXCLUDED.production_deploy, stage.task_facts.production_deploy),
                updated_at = now()""";
    static final String RECORD_STATUS = """
            INSERT INTO stage.commit_status (repo, sha, context, state) VALUES ($1, $2, $3, $4)
            ON CONFLICT (repo, sha, context) DO UPDATE SET state = EXCLUDED.state, updated_at = now()""";
    /** The ratchet: the floor only ever goes up. */
    static final String RAISE_FLOOR = """
            INSERT INTO stage.coverage_floor (repo, floor) VALUES ($1, $2)
            ON CONFLICT (repo) DO UPDATE SET floor = GREATEST(stage.coverage_floor.floor, EXCLUDED.floor),
                updated_at = now()
            RETURNING floor""";

    public Uni<Optional<TaskFacts>> facts(SqlClient client, String taskId) {
        return client.preparedQuery(FACTS).execute(Tuple.of(taskId)).flatMap(rows -> {
            if (rows.rowCount() == 0) {
                return Uni.createFrom().item(Optional.empty());
            }
            Row row = rows.iterator().next();
            String repo = row.getString("repo");
            String sha = row.getString("head_sha");
            Uni<Map<String, String>> statuses = sha == null ? Uni.createFrom().item(Map.of())
                    : client.preparedQuery(STATUSES).execute(Tuple.of(repo, sha)).map(found -> {
                        Map<String, String> byContext = new LinkedHashMap<>();
                        found.forEach(s -> byContext.put(s.getString("context"), s.getString("state")));
                        return byContext;
                    });
            return statuses.map(byContext -> Optional.of(facts(row, byContext)));
        });
    }

    /** The facts of every task in {@code taskIds} that exists, by task id, in two statements. */
    public Uni<Map<String, TaskFacts>> facts(SqlClient client, List<String> taskIds) {
        return client.preparedQuery(FACTS_MANY).execute(Tuple.of(taskIds.toArray(new String[0]))).flatMap(rows -> {
            List<Row> found = new ArrayList<>();
            rows.forEach(found::add);
            List<Row> withSha = found.stream().filter(row -> row.getString("head_sha") != null).toList();
            Uni<Map<String, Map<String, String>>> statuses = withSha.isEmpty() ? Uni.createFrom().item(Map.of())
                    : client.preparedQuery(STATUSES_MANY).execute(Tuple.of(
                            withSha.stream().map(row -> row.getString("repo")).toArray(String[]::new),
                            withSha.stream().map(row -> row.getString("head_sha")).toArray(String[]::new)))
                    .map(statusRows -> {
                        Map<String, Map<String, String>> byCommit = new HashMap<>();
                        statusRows.forEach(s -> byCommit.computeIfAbsent(s.getString("repo") + "@"
                                + s.getString("sha"), k -> new LinkedHashMap<>())
                                .put(s.getString("context"), s.getString("state")));
                        return byCommit;
                    });
            return statuses.map(byCommit -> {
                Map<String, TaskFacts> facts = new LinkedHashMap<>();
                found.forEach(row -> facts.put(row.getString("id"), facts(row, byCommit.getOrDefault(
                        row.getString("repo") + "@" + row.getString("head_sha"), Map.of()))));
                return facts;
            });
        });
    }

    private static TaskFacts facts(Row row, Map<String, String> statuses) {
        return new TaskFacts(row.getString("id"), row.getString("repo"), row.getInteger("pr_number"),
                row.getString("pr_url"), row.getString("head_sha"), row.getString("pr_state"),
                row.getString("merge_sha"), row.getBigDecimal("coverage"), row.getBigDecimal("coverage_floor"),
                row.getString("approved_by"), row.getString("staging_deploy"), row.getString("production_deploy"),
                row.getInteger("last_exit_code"), statuses);
    }

    public Uni<Void> recordPullRequest(SqlClient client, String taskId, int number, String url, String headSha) {
        return client.preparedQuery(RECORD_PR).execute(Tuple.of(taskId, number, url, headSha)).replaceWithVoid();
    }

    public Uni<Void> recordMerged(SqlClient client, String taskId, String mergeSha) {
        return client.preparedQuery(RECORD_MERGED).execute(Tuple.of(taskId, mergeSha)).replaceWithVoid();
    }

    public Uni<Void> recordClosed(SqlClient client, String taskId, int number) {
        return client.preparedQuery(RECORD_CLOSED).execute(Tuple.of(taskId, number)).replaceWithVoid();
    }

    public Uni<Void> recordWorkflowRun(SqlClient client, String repo, long runId, String name, String conclusion,
                                       String headSha, String taskId) {
        return client.preparedQuery(RECORD_RUN).execute(Tuple.from(new Object[] {repo, runId, name, conclusion,
                headSha, taskId})).replaceWithVoid();
    }

    public Uni<Void> recordCoverage(SqlClient client, String taskId, BigDecimal coverage) {
        return client.preparedQuery(RECORD_COVERAGE).execute(Tuple.of(taskId, coverage)).replaceWithVoid();
    }

    public Uni<Void> recordApproval(SqlClient client, String taskId, String by) {
        return client.preparedQuery(RECORD_APPROVAL).execute(Tuple.of(taskId, by)).replaceWithVoid();
    }

    /** @param environment {@code staging} or {@code production} */
    public Uni<Void> recordDeploy(SqlClient client, String taskId, String environment, String state) {
        boolean staging = "staging".equals(environment);
        return client.preparedQuery(RECORD_DEPLOY)
                .execute(Tuple.of(taskId, staging ? state : null, staging ? null : state)).replaceWithVoid();
    }

    public Uni<Void> recordStatus(SqlClient client, String repo, String sha, String context, String state) {
        return client.preparedQuery(RECORD_STATUS).execute(Tuple.of(repo, sha, context, state)).replaceWithVoid();
    }

    /** @return the floor after the raise (never lower than before) */
    public Uni<BigDecimal> raiseFloor(SqlClient client, String repo, BigDecimal coverage) {
        return client.preparedQuery(RAISE_FLOOR).execute(Tuple.of(repo, coverage))
                .map(rows -> rows.iterator().next().getBigDecimal("floor"));
    }
}
