package dev.baton.stage.lease;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.UUID;

/** A transition lease row, with its owner's liveness judged at read time. */
public record Lease(String taskId, long token, String ownerActor, UUID ownerInstance, long ownerPid, String ownerHost,
                    String from, String to, String reason, String requestId, Instant acquiredAt, long ageSeconds,
                    boolean live) {

    static Lease from(Row row) {
        return from(row.getString("task_id"), row);
    }

    /** A lease from a row that carries the lease's columns but names the task otherwise. */
    public static Lease from(String taskId, Row row) {
        return new Lease(taskId, row.getLong("token"), row.getString("owner_actor"),
                row.getUUID("owner_instance"), row.getLong("owner_pid"), row.getString("owner_host"),
                row.getString("from_stage"), row.getString("to_stage"), row.getString("reason"),
                row.getString("request_id"), row.getOffsetDateTime("acquired_at").toInstant(),
                row.getLong("age_s"), row.getBoolean("live"));
    }
}
