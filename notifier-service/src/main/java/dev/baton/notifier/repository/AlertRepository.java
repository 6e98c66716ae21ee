package dev.baton.notifier.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Alerts: the content keys already queued (the same alert is not repeated within a window, across
 * replicas too), and the queue of alert messages each chat's sender works through, oldest first.
 */
@ApplicationScoped
public class AlertRepository {

    /** 1 row = this alert is new within the window and is queued; 0 rows = the same alert was queued already. */
    static final String CLAIM = """
            INSERT INTO notifier.alert_sent (dedupe_key, sent_at) VALUES ($1, $2)
            ON CONFLICT (dedupe_key) DO UPDATE SET sent_at = EXCLUDED.sent_at
            WHERE alert_sent.sent_at <= $3""";

    static final String ENQUEUE = """
            INSERT INTO notifier.alert_outbox (chat_id, work_item, event_type, text, trace_parent)
            VALUES ($1, $2, $3, $4, $5)""";

    /** The chat's oldest alert that is due. Only the chat's one sender reads it, so no claim is needed. */
    static final String NEXT = """
            SELECT id, chat_id, work_item, event_type, text, attempts, trace_parent FROM notifier.alert_outbox
            WHERE chat_id = $1 AND sent_at IS NULL AND dropped_at IS NULL AND next_attempt_at <= now()
            ORDER BY id LIMIT 1""";

    static final String MARK_SENT = "UPDATE notifier.alert_outbox SET sent_at = now() WHERE id = $1 AND sent_at IS NULL";

    /** A failed try: again after {@code $2} seconds, or given up ({@code dropped_at}) at the last attempt. */
    static final String MARK_FAILED = """
            UPDATE notifier.alert_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2),
                   dropped_at = CASE WHEN attempts + 1 >= $3 THEN now() END
            WHERE id = $1 AND sent_at IS NULL
            RETURNING dropped_at IS NOT NULL AS dropped""";

    static final String BACKLOG = """
            SELECT count(*) AS alerts, min(created_at) AS oldest FROM notifier.alert_outbox
            WHERE sent_at IS NULL AND dropped_at IS NULL""";

    /** An alert message waiting for its chat's sender; {@code traceParent}: the trace that raised it (or null). */
    public record QueuedAlert(long id, String chatId, String workItem, String eventType, String text, int attempts,
                              String traceParent) {
    }

    /** How many alerts wait, and since when the oldest does (null when none). */
    public record Backlog(long alerts, Instant oldest) {
    }

    private final Pool pool;

    public AlertRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Boolean> claim(SqlClient conn, String dedupeKey, Instant now, Duration window) {
        return conn.preparedQuery(CLAIM)
                .execute(Tuple.of(dedupeKey, CardRepository.utc(now), CardRepository.utc(now.minus(window))))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> enqueue(SqlClient conn, String chatId, String workItem, String eventType, String text,
                             String traceParent) {
        return conn.preparedQuery(ENQUEUE).execute(Tuple.of(chatId, workItem, eventType, text, traceParent))
                .replaceWithVoid();
    }

    public Uni<Optional<QueuedAlert>> next(String chatId) {
        return pool.preparedQuery(NEXT).execute(Tuple.of(chatId)).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row r = it.next();
            return Optional.of(new QueuedAlert(r.getLong("id"), r.getString("chat_id"), r.getString("work_item"),
                    r.getString("event_type"), r.getString("text"), r.getInteger("attempts"), r.getString("trace_parent")));
        });
    }

    public Uni<Void> markSent(long id) {
        return pool.preparedQuery(MARK_SENT).execute(Tuple.of(id)).replaceWithVoid();
    }

    /** @return true when this was the last attempt and the alert is given up */
    public Uni<Boolean> markFailed(long id, Duration retryIn, int maxAttempts) {
        return pool.preparedQuery(MARK_FAILED).execute(Tuple.of(id, retryIn.toSeconds(), maxAttempts))
                .map(rows -> rows.rowCount() == 1 && rows.iterator().next().getBoolean("dropped"));
    }

    public Uni<Backlog> backlog() {
        return pool.query(BACKLOG).execute().map(rows -> {
            Row row = rows.iterator().next();
            var oldest = row.getOffsetDateTime("oldest");
            return new Backlog(row.getLong("alerts"), oldest == null ? null : oldest.toInstant());
        });
    }
}
