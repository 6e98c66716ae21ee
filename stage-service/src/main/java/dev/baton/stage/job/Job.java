package dev.baton.stage.job;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;

/** One stage's work, run by an agent runner: queued → running → done | failed | reaped. */
public record Job(long id, String taskId, String stage, String status, String runnerId, String runnerBootId,
                  String detail, Instant queuedAt, Instant startedAt, Integer exitCode, Instant exitAt,
                  Instant finishedAt) {

    static Job from(Row row) {
        return new Job(row.getLong("id"), row.getString("task_id"), row.getString("stage"), row.getString("status"),
                row.getString("runner_id"), row.getString("runner_boot_id"), row.getString("detail"),
                instant(row.getOffsetDateTime("queued_at")), instant(row.getOffsetDateTime("started_at")),
                row.getInteger("exit_code"), instant(row.getOffsetDateTime("exit_at")),
                instant(row.getOffsetDateTime("finished_at")));
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
