package dev.baton.stage;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;

/** A work item as stage-service stores it. */
public record Task(String id, String repo, String title, String stage, long version, Instant createdAt,
                   Instant updatedAt) {

    public static Task from(Row row) {
        return new Task(row.getString("id"), row.getString("repo"), row.getString("title"), row.getString("stage"),
                row.getLong("version"), row.getOffsetDateTime("created_at").toInstant(),
                row.getOffsetDateTime("updated_at").toInstant());
    }
}
