package dev.baton.stage;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;

/** A work item as stage-service stores it, with its Plane project and work item ids when known. */
public record Task(String id, String repo, String title, String stage, long version, Instant createdAt,
                   Instant updatedAt, String planeProject, String planeIssue) {

    public static Task from(Row row) {
        return new Task(row.getString("id"), row.getString("repo"), row.getString("title"), row.getString("stage"),
                row.getLong("version"), row.getOffsetDateTime("created_at").toInstant(),
                row.getOffsetDateTime("updated_at").toInstant(), row.getString("plane_project"),
                row.getString("plane_issue"));
    }

    /** The Plane work item this task mirrors, if known. */
    public boolean inPlane() {
        return planeProject != null && planeIssue != null;
    }
}
