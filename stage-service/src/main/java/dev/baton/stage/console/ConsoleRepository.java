package dev.baton.stage.console;

import dev.baton.stage.console.ConsoleViews.AlertRow;
import dev.baton.stage.console.ConsoleViews.CardRow;
import dev.baton.stage.console.ConsoleViews.DeadEvent;
import dev.baton.stage.console.ConsoleViews.EffectRow;
import dev.baton.stage.console.ConsoleViews.InDoubt;
import dev.baton.stage.console.ConsoleViews.JobRow;
import dev.baton.stage.console.ConsoleViews.PlaneFailure;
import dev.baton.stage.console.ConsoleViews.PlaneSync;
import dev.baton.stage.console.ConsoleViews.PullRequest;
import dev.baton.stage.console.ConsoleViews.ReapedJob;
import dev.baton.stage.console.ConsoleViews.RunRow;
import dev.baton.stage.console.ConsoleViews.RunnerRow;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The console's reads. Read-only by construction: every statement here is a SELECT; what the
 * console changes goes through the protocol's own classes. Each page is a handful of statements,
 * never one per card, so the board costs the same few round trips at 10 or 1,000 work items.
 */
@ApplicationScoped
public class ConsoleRepository {

    /**
     * Every work item with its board markers in one pass; terminal stages ($1) keep only their
     * $2 most recent items (the column still counts all of them). Age is time since the last
     * stage write (the stage CAS sets {@code updated_at}).
     */
    static final String CARDS = """
            SELECT * FROM (
              SELECT t.id, t.title, t.repo, t.stage, t.updated_at,
                     floor(extract(epoch FROM now() - t.updated_at))::bigint AS age_s,
                     coalesce(r.cost, 0) AS cost_usd,
                     (SELECT count(*) FROM stage.transition_effect e
                      WHERE e.task_id = t.id AND e.status = 'in_doubt')::int AS in_doubt,
                     (SELECT j.status FROM stage.job j
                      WHERE j.task_id = t.id AND j.status IN ('queued', 'running') LIMIT 1) AS open_job,
                     (SELECT j.status FROM stage.job j
                      WHERE j.task_id = t.id AND j.stage = t.stage ORDER BY j.id DESC LIMIT 1) AS stage_job,
                     (SELECT s.status FROM stage.plane_sync s
                      WHERE s.task_id = t.id ORDER BY s.version DESC LIMIT 1) AS plane_sync,
                     count(*) OVER (PARTITION BY t.stage) AS in_stage,
                     row_number() OVER (PARTITION BY t.stage ORDER BY t.updated_at DESC, t.id) AS recent
              FROM stage.task t
              LEFT JOIN (SELECT task_id, sum(cost_usd) AS cost FROM stage.agent_run GROUP BY task_id) r
                ON r.task_id = t.id
            ) c
            WHERE NOT (c.stage = ANY($1::text[]) AND c.recent > $2)
            ORDER BY c.updated_at, c.id""";
    /** One work item's ledger, oldest transition first. */
    static final String EFFECTS = """
            SELECT transition_seq, effect, status, token, from_stage, to_stage, detail, attempts, started_at,
                   updated_at
            FROM stage.transition_effect WHERE task_id = $1 ORDER BY transition_seq, started_at""";
    /** Ledger rows written under one lease token: what a lease's owner was doing. */
    static final String EFFECTS_OF_TOKEN = """
            SELECT transition_seq, effect, status, token, from_stage, to_stage, detail, attempts, started_at,
                   updated_at
            FROM stage.transition_effect WHERE task_id = $1 AND token = $2 ORDER BY started_at""";
    static final String JOBS = """
            SELECT id, stage, status, runner_id, detail, queued_at, started_at, exit_code, finished_at
            FROM stage.job WHERE task_id = $1 ORDER BY id""";
    static final String RUNS = """
            SELECT job_id, agent, model, effort, attempt, cost_usd, tokens_in, tokens_out, recorded_at
            FROM stage.agent_run WHERE task_id = $1 ORDER BY id""";
    static final String PULL_REQUEST = """
            SELECT pr_number, pr_url, head_sha, pr_state, merge_sha FROM stage.task_facts WHERE task_id = $1""";
    static final String PLANE_SYNC = """
            SELECT to_stage, status, attempts, last_error, created_at FROM stage.plane_sync
            WHERE task_id = $1 ORDER BY version DESC LIMIT 1""";
    /** The newest alerts a work item raised (they are also on Kafka; the outbox keeps the row). */
    static final String ALERTS = """
            SELECT event_type, payload::text AS payload, occurred_at FROM stage.outbox
            WHERE aggregate_id = $1 AND topic = $2 ORDER BY id DESC LIMIT 20""";
    /** The newest alerts of all work items, for the pages where an action just raised one. */
    static final String RECENT_ALERTS = """
            SELECT aggregate_id, event_type, payload::text AS payload, occurred_at FROM stage.outbox
            WHERE topic = $1 ORDER BY id DESC LIMIT $2""";
    static final String IN_DOUBT = """
            SELECT e.task_id, t.title, e.effect, e.from_stage, e.to_stage, e.token, e.detail, e.updated_at
            FROM stage.transition_effect e JOIN stage.task t ON t.id = e.task_id
            WHERE e.status = 'in_doubt' ORDER BY e.updated_at""";
    static final String DEAD_EVENTS = """
            SELECT event_id, work_item, event_type, outcome, attempts, received_at FROM stage.inbound_event
            WHERE status = 'dead' ORDER BY received_at DESC LIMIT 200""";
    /** Reaped jobs nobody has followed up: the work item is still in that stage with no newer job. */
    static final String REAPED = """
            SELECT j.id, j.task_id, j.stage, j.detail, j.finished_at FROM stage.job j
            JOIN stage.task t ON t.id = j.task_id AND t.stage = j.stage
            WHERE j.status = 'reaped'
              AND NOT EXISTS (SELECT 1 FROM stage.job n WHERE n.task_id = j.task_id AND n.id > j.id)
            ORDER BY j.finished_at""";
    /** Work items whose newest Plane sync gave up. */
    static final String PLANE_FAILED = """
            SELECT s.task_id, s.to_stage, s.attempts, s.last_error, s.created_at FROM stage.plane_sync s
            WHERE s.status = 'failed'
              AND s.version = (SELECT max(n.version) FROM stage.plane_sync n WHERE n.task_id = s.task_id)
            ORDER BY s.created_at""";
    /**
     * Plane drift the reconciler reported in the last week about a work item whose stage has not
     * changed since (a later transition usually settles it): the newest per item and alert type.
     */
    static final String PLANE_DRIFT = """
            SELECT DISTINCT ON (a.work_item, a.event_type) a.work_item, a.event_type, a.payload::text AS payload,
                   a.occurred_at
            FROM stage.console_alert a JOIN stage.task t ON t.id = a.work_item
            WHERE a.event_type LIKE 'PlaneDrift%' AND a.occurred_at > now() - interval '7 days'
              AND a.occurred_at >= t.updated_at
            ORDER BY a.work_item, a.event_type, a.occurred_at DESC""";
    static final String KEEP_ALERT = """
            INSERT INTO stage.console_alert (event_id, work_item, event_type, payload, occurred_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (event_id) DO NOTHING""";
    static final String RUNNERS = """
            SELECT r.runner_id, r.boot_id, r.registered_at,
                   count(j.id) FILTER (WHERE j.status = 'running') AS running,
                   greatest(r.registered_at, max(j.started_at), max(j.exit_at), max(j.finished_at)) AS last_seen
            FROM stage.runner r LEFT JOIN stage.job j ON j.runner_id = r.runner_id
            GROUP BY r.runner_id, r.boot_id, r.registered_at ORDER BY r.runner_id""";
    static final String TITLES = "SELECT id, title FROM stage.task WHERE id = ANY($1::text[])";
    /** The newest committed change anywhere: every transition, job fact and alert adds an outbox row. */
    static final String HEAD = "SELECT coalesce(max(id), 0) AS head FROM stage.outbox";

    public Uni<List<CardRow>> cards(SqlClient client, List<String> terminalStages, int terminalShown) {
        return client.preparedQuery(CARDS).execute(Tuple.of(terminalStages.toArray(new String[0]), terminalShown))
                .map(rows -> list(rows, row -> new CardRow(row.getString("id"), row.getString("title"),
                        row.getString("repo"), row.getString("stage"), row.getLong("age_s"),
                        row.getBigDecimal("cost_usd"), row.getInteger("in_doubt"), row.getString("open_job"),
                        row.getString("stage_job"), row.getString("plane_sync"), row.getLong("in_stage"))));
    }

    public Uni<List<EffectRow>> effects(SqlClient client, String taskId) {
        return client.preparedQuery(EFFECTS).execute(Tuple.of(taskId))
                .map(rows -> list(rows, ConsoleRepository::effect));
    }

    public Uni<List<EffectRow>> effectsOfToken(SqlClient client, String taskId, long token) {
        return client.preparedQuery(EFFECTS_OF_TOKEN).execute(Tuple.of(taskId, token))
                .map(rows -> list(rows, ConsoleRepository::effect));
    }

    public Uni<List<JobRow>> jobs(SqlClient client, String taskId) {
        return client.preparedQuery(RUNS).execute(Tuple.of(taskId)).flatMap(runRows -> {
            Map<Long, List<RunRow>> runs = new LinkedHashMap<>();
            for (Row row : runRows) {
                runs.computeIfAbsent(row.getLong("job_id"), id -> new ArrayList<>()).add(new RunRow(
                        row.getString("agent"), row.getString("model"), row.getString("effort"),
                        row.getInteger("attempt"), row.getBigDecimal("cost_usd"), row.getLong("tokens_in"),
                        row.getLong("tokens_out"), instant(row.getOffsetDateTime("recorded_at"))));
            }
            return client.preparedQuery(JOBS).execute(Tuple.of(taskId)).map(rows -> list(rows, row -> new JobRow(
                    row.getLong("id"), row.getString("stage"), row.getString("status"), row.getString("runner_id"),
                    row.getString("detail"), instant(row.getOffsetDateTime("queued_at")),
                    instant(row.getOffsetDateTime("started_at")), row.getInteger("exit_code"),
                    instant(row.getOffsetDateTime("finished_at")),
                    runs.getOrDefault(row.getLong("id"), List.of()))));
        });
    }

    public Uni<Optional<PullRequest>> pullRequest(SqlClient client, String taskId) {
        return client.preparedQuery(PULL_REQUEST).execute(Tuple.of(taskId)).map(rows -> first(rows,
                row -> new PullRequest(row.getInteger("pr_number"), row.getString("pr_url"),
                        row.getString("head_sha"), row.getString("pr_state"), row.getString("merge_sha"))));
    }

    public Uni<Optional<PlaneSync>> planeSync(SqlClient client, String taskId) {
        return client.preparedQuery(PLANE_SYNC).execute(Tuple.of(taskId)).map(rows -> first(rows,
                row -> new PlaneSync(row.getString("to_stage"), row.getString("status"), row.getInteger("attempts"),
                        row.getString("last_error"), instant(row.getOffsetDateTime("created_at")))));
    }

    public Uni<List<AlertRow>> alerts(SqlClient client, String taskId) {
        return client.preparedQuery(ALERTS).execute(Tuple.of(taskId, Topics.ALERTS))
                .map(rows -> list(rows, row -> new AlertRow(row.getString("event_type"), row.getString("payload"),
                        instant(row.getOffsetDateTime("occurred_at")))));
    }

    /** The newest alerts, keyed by work item in the payload shown. */
    public Uni<List<AlertRow>> recentAlerts(SqlClient client, int limit) {
        return client.preparedQuery(RECENT_ALERTS).execute(Tuple.of(Topics.ALERTS, limit))
                .map(rows -> list(rows, row -> new AlertRow(row.getString("event_type"),
                        row.getString("aggregate_id") + " " + row.getString("payload"),
                        instant(row.getOffsetDateTime("occurred_at")))));
    }

    public Uni<List<InDoubt>> inDoubt(SqlClient client) {
        return client.query(IN_DOUBT).execute().map(rows -> list(rows, row -> new InDoubt(row.getString("task_id"),
                row.getString("title"), row.getString("effect"), row.getString("from_stage"),
                row.getString("to_stage"), row.getLong("token"), row.getString("detail"),
                instant(row.getOffsetDateTime("updated_at")))));
    }

    public Uni<List<DeadEvent>> deadEvents(SqlClient client) {
        return client.query(DEAD_EVENTS).execute().map(rows -> list(rows, row -> new DeadEvent(
                row.getString("event_id"), row.getString("work_item"), row.getString("event_type"),
                row.getString("outcome"), row.getInteger("attempts"), instant(row.getOffsetDateTime("received_at")))));
    }

    public Uni<List<ReapedJob>> reaped(SqlClient client) {
        return client.query(REAPED).execute().map(rows -> list(rows, row -> new ReapedJob(row.getLong("id"),
                row.getString("task_id"), row.getString("stage"), row.getString("detail"),
                instant(row.getOffsetDateTime("finished_at")))));
    }

    public Uni<List<PlaneFailure>> planeFailures(SqlClient client) {
        return client.query(PLANE_FAILED).execute().map(rows -> list(rows, row -> new PlaneFailure(
                row.getString("task_id"), row.getString("to_stage"), row.getInteger("attempts"),
                row.getString("last_error"), instant(row.getOffsetDateTime("created_at")))));
    }

    public Uni<List<AlertRow>> planeDrift(SqlClient client) {
        return client.query(PLANE_DRIFT).execute().map(rows -> list(rows, row -> new AlertRow(
                row.getString("event_type"), row.getString("work_item") + " " + row.getString("payload"),
                instant(row.getOffsetDateTime("occurred_at")))));
    }

    /** Keeps another service's alert (once per event id). */
    public Uni<Void> keepAlert(SqlClient client, EventEnvelope event) {
        return client.preparedQuery(KEEP_ALERT).execute(Tuple.of(event.eventId(), event.aggregateId(),
                        event.eventType(), new io.vertx.core.json.JsonObject(event.payload()),
                        event.occurredAt().atOffset(java.time.ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    public Uni<List<RunnerRow>> runners(SqlClient client) {
        return client.query(RUNNERS).execute().map(rows -> list(rows, row -> new RunnerRow(
                row.getString("runner_id"), row.getString("boot_id"), instant(row.getOffsetDateTime("registered_at")),
                row.getLong("running"), instant(row.getOffsetDateTime("last_seen")))));
    }

    /** Titles of the given work items. */
    public Uni<Map<String, String>> titles(SqlClient client, List<String> ids) {
        return client.preparedQuery(TITLES).execute(Tuple.of(ids.toArray(new String[0]))).map(rows -> {
            Map<String, String> titles = new LinkedHashMap<>();
            rows.forEach(row -> titles.put(row.getString("id"), row.getString("title")));
            return titles;
        });
    }

    /** The id of the newest outbox row: it grows with every committed change. */
    public Uni<Long> head(SqlClient client) {
        return client.query(HEAD).execute().map(rows -> rows.iterator().next().getLong("head"));
    }

    private static EffectRow effect(Row row) {
        return new EffectRow(row.getLong("transition_seq"), row.getString("effect"), row.getString("status"),
                row.getLong("token"), row.getString("from_stage"), row.getString("to_stage"), row.getString("detail"),
                row.getInteger("attempts"), instant(row.getOffsetDateTime("started_at")),
                instant(row.getOffsetDateTime("updated_at")));
    }

    private static <T> List<T> list(RowSet<Row> rows, Function<Row, T> map) {
        List<T> list = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> list.add(map.apply(row)));
        return list;
    }

    private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> map) {
        return rows.rowCount() == 0 ? Optional.empty() : Optional.of(map.apply(rows.iterator().next()));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
