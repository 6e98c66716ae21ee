package dev.baton.stage.job;

import dev.baton.stage.lease.LivenessRegistration;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Jobs, runners and agent runs. Every status change is one self-checking statement: the pick
 * skips rows another runner has locked, the claim is a CAS on the expected status.
 */
@ApplicationScoped
public class JobRepository {

    static final String COLUMNS = "id, task_id, stage, status, runner_id, runner_boot_id, detail, queued_at, "
            + "started_at, exit_code, exit_at, finished_at";
    static final String REGISTER_RUNNER = """
            INSERT INTO stage.runner (runner_id, boot_id) VALUES ($1, $2)
            ON CONFLICT (runner_id) DO UPDATE SET boot_id = EXCLUDED.boot_id, registered_at = now()""";
    static final String RUNNER_EXISTS = "SELECT 1 FROM stage.runner WHERE runner_id = $1";
    /** The oldest queued job; SKIP LOCKED so two runners never take the same one. */
    static final String PICK = """
            WITH next AS (
                SELECT id FROM stage.job
                WHERE status = 'queued' AND ($2::text[] IS NULL OR stage = ANY($2))
                ORDER BY queued_at, id LIMIT 1
                FOR UPDATE SKIP LOCKED)
            UPDATE stage.job j
            SET status = 'running', runner_id = $1, started_at = now(),
                runner_boot_id = (SELECT boot_id FROM stage.runner WHERE runner_id = $1)
            FROM next WHERE j.id = next.id
            RETURNING j.*""";
    static final String FIND = "SELECT " + COLUMNS + " FROM stage.job WHERE id = $1";
    static final String RECORD_EXIT = """
            UPDATE stage.job SET exit_code = $2, exit_at = now(), detail = coalesce($3, detail)
            WHERE id = $1 AND status = 'running' AND exit_code IS NULL
            RETURNING id""";
    /** Claim-before-act: only the caller that moves the status from {@code expected} wins. */
    static final String CLAIM = """
            UPDATE stage.job SET status = $3, finished_at = now(), detail = coalesce($4, detail)
            WHERE id = $1 AND status = $2
            RETURNING\s""" + COLUMNS;
    static final String INSERT_RUN = """
            INSERT INTO stage.agent_run (job_id, task_id, agent, model, effort, attempt, cost_usd, tokens_in, tokens_out,
                                         exit_code, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            RETURNING id""";
    static final String OPEN = "SELECT " + COLUMNS + " FROM stage.job WHERE status IN ('queued', 'running') "
            + "ORDER BY queued_at, id";
    /**
     * Running jobs with everything the reaper decides on, in one query: ages, exit, the runner's
     * current boot id, and the task's lease with its owner's liveness. Public for the benchmark,
     * which shows its plan.
     */
    public static final String RUNNING = """
            SELECT j.id, j.task_id, j.stage, j.runner_id, j.runner_boot_id, r.boot_id AS runner_current_boot_id,
                   j.exit_code,
                   floor(extract(epoch FROM now() - j.started_at))::bigint AS age_s,
                   floor(extract(epoch FROM now() - j.exit_at))::bigint AS finished_age_s,
                   t.stage AS task_stage,
                   l.token AS lease_token, l.owner_actor AS lease_owner_actor,
                   l.owner_instance AS lease_owner_instance, l.from_stage AS lease_from, l.to_stage AS lease_to,
                   CASE WHEN l.task_id IS NULL THEN NULL ELSE %s END AS lease_live
            FROM stage.job j
            JOIN stage.task t ON t.id = j.task_id
            LEFT JOIN stage.runner r ON r.runner_id = j.runner_id
            LEFT JOIN stage.transition_lease l ON l.task_id = j.task_id
            LEFT JOIN stage.instance i ON i.boot_id = l.owner_instance
            WHERE j.status = 'running'
            ORDER BY j.started_at""".formatted(LivenessRegistration.LIVE_SQL);
    /**
     * Running jobs without an exit whose runner registered again since: their agent is gone. {@code $1}
     * = one runner's id (it just registered), or NULL for all runners.
     */
    static final String REQUEUE_ORPHANS = """
            UPDATE stage.job j
            SET status = 'queued', runner_id = NULL, runner_boot_id = NULL, started_at = NULL,
                detail = 'requeued: runner ' || j.runner_id || ' restarted'
            FROM stage.runner r
            WHERE j.status = 'running' AND j.exit_code IS NULL AND r.runner_id = j.runner_id
              AND r.boot_id IS DISTINCT FROM j.runner_boot_id AND ($1::text IS NULL OR j.runner_id = $1)
              AND NOT (j.stage = ANY($2::text[]))
            RETURNING j.id, j.task_id, j.stage""";

    /** Stages whose orphaned job is the reaper's Tier 1, not a requeue: those the pipeline can roll back. */
    private final String[] stagesWithRollback;

    public JobRepository(PipelineDefinition pipeline) {
        this.stagesWithRollback = pipeline.stages().stream().map(Stage::key)
                .filter(stage -> pipeline.rollback(stage).isPresent()).toArray(String[]::new);
    }

    /** A running job as the reaper sees it. */
    public record RunningJob(long id, String taskId, String stage, String taskStage, String runnerId,
                             String runnerBootId, String runnerCurrentBootId, boolean runnerRestarted, long ageS,
                             Integer exitCode, boolean exitRecorded, Long finishedAgeS, LeaseState lease) {
    }

    /** The task's lease, if any, and whether its owner is live. */
    public record LeaseState(long token, String ownerActor, String ownerInstance, String from, String to,
                             boolean live) {
    }

    /** An agent run as reported by a runner; {@code exitCode} and {@code reason} are optional. */
    public record AgentRun(String agent, String model, String effort, int attempt, BigDecimal costUsd, long tokensIn,
                           long tokensOut, Integer exitCode, String reason) {
    }

    public Uni<Void> registerRunner(SqlClient client, String runnerId, String bootId) {
        return client.preparedQuery(REGISTER_RUNNER).execute(Tuple.of(runnerId, bootId)).replaceWithVoid();
    }

    public Uni<Boolean> runnerExists(SqlClient client, String runnerId) {
        return client.preparedQuery(RUNNER_EXISTS).execute(Tuple.of(runnerId)).map(rows -> rows.rowCount() == 1);
    }

    /** @return the new job's id, or empty if the task has an open job */
    public Uni<Optional<Job>> pick(SqlClient client, String runnerId, List<String> stages) {
        return client.preparedQuery(PICK)
                .execute(Tuple.of(runnerId, stages == null ? null : stages.toArray(new String[0])))
                .map(JobRepository::single);
    }

    public Uni<Optional<Job>> find(SqlClient client, long id) {
        return client.preparedQuery(FIND).execute(Tuple.of(id)).map(JobRepository::single);
    }

    /** @return true if this call recorded the exit code ({@code reason}, if any, becomes the job's detail) */
    public Uni<Boolean> recordExit(SqlClient client, long id, int code, String reason) {
        return client.preparedQuery(RECORD_EXIT).execute(Tuple.of(id, code, reason)).map(rows -> rows.rowCount() == 1);
    }

    /** @return the job after the claim if this call won it */
    public Uni<Optional<Job>> claim(SqlClient client, long id, String expected, String status, String detail) {
        return client.preparedQuery(CLAIM).execute(Tuple.of(id, expected, status, detail)).map(JobRepository::single);
    }

    public Uni<Long> insertRun(SqlClient client, Job job, AgentRun run) {
        return client.preparedQuery(INSERT_RUN)
                .execute(Tuple.from(new Object[] {job.id(), job.taskId(), run.agent(), run.model(), run.effort(),
                        run.attempt(), run.costUsd(), run.tokensIn(), run.tokensOut(), run.exitCode(), run.reason()}))
                .map(rows -> rows.iterator().next().getLong("id"));
    }

    public Uni<List<Job>> open(SqlClient client) {
        return client.query(OPEN).execute().map(rows -> {
            List<Job> jobs = new ArrayList<>();
            rows.forEach(row -> jobs.add(Job.from(row)));
            return jobs;
        });
    }

    public Uni<List<RunningJob>> running(SqlClient client) {
        return client.query(RUNNING).execute().map(rows -> {
            List<RunningJob> jobs = new ArrayList<>();
            for (Row row : rows) {
                String bootId = row.getString("runner_boot_id");
                String current = row.getString("runner_current_boot_id");
                Long token = row.getLong("lease_token");
                LeaseState lease = token == null ? null : new LeaseState(token, row.getString("lease_owner_actor"),
                        row.getUUID("lease_owner_instance").toString(), row.getString("lease_from"),
                        row.getString("lease_to"), row.getBoolean("lease_live"));
                jobs.add(new RunningJob(row.getLong("id"), row.getString("task_id"), row.getString("stage"),
                        row.getString("task_stage"), row.getString("runner_id"), bootId, current,
                        current != null && !current.equals(bootId), row.getLong("age_s"), row.getInteger("exit_code"),
                        row.getInteger("exit_code") != null, row.getLong("finished_age_s"), lease));
            }
            return jobs;
        });
    }

    /** A job put back in the queue. */
    public record Requeued(long id, String taskId, String stage) {
    }

    /**
     * Requeues running jobs whose runner ({@code runnerId}, or any if null) restarted before recording
     * an exit — on stages the pipeline gives no rollback. A job on a stage with a rollback stays
     * running: the reaper's Tier 1 fails it and asks for the rollback (docs/reaper-service.md).
     */
    public Uni<List<Requeued>> requeueOrphans(SqlClient client, String runnerId) {
        return client.preparedQuery(REQUEUE_ORPHANS).execute(Tuple.of(runnerId, stagesWithRollback)).map(rows -> {
            List<Requeued> requeued = new ArrayList<>();
            rows.forEach(row -> requeued.add(new Requeued(row.getLong("id"), row.getString("task_id"),
                    row.getString("stage"))));
            return requeued;
        });
    }

    private static Optional<Job> single(RowSet<Row> rows) {
        if (rows.rowCount() > 1) {
            throw new IllegalStateException("job statement matched " + rows.rowCount() + " rows");
        }
        return rows.rowCount() == 0 ? Optional.empty() : Optional.of(Job.from(rows.iterator().next()));
    }
}
