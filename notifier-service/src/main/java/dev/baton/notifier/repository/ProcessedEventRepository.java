package dev.baton.notifier.repository;

import dev.baton.events.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Remembers which transition and alert events were handled, so a redelivery is recognised. */
@ApplicationScoped
public class ProcessedEventRepository {

    static final String REMEMBER = """
            INSERT INTO notifier.processed_event (event_id, work_item, event_type)
            VALUES ($1, $2, $3)
            ON CONFLICT (event_id) DO NOTHING""";
    /**
     * One batch of marks older than $1 seconds, at most $2, oldest first; replicas skip each other's
     * rows. A mark carries no state of its own (the card and the alert queue do): only its id matters.
     */
    static final String PRUNE = """
            DELETE FROM notifier.processed_event WHERE event_id IN (
              SELECT event_id FROM notifier.processed_event WHERE processed_at < now() - make_interval(secs => $1)
              ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED)""";

    private final Pool pool;

    public ProcessedEventRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return true the first time this event id is seen, false for a redelivery */
    public Uni<Boolean> rememberFirstDelivery(EventEnvelope event) {
        return rememberFirstDelivery(pool, event);
    }

    /** Deletes one batch of marks older than {@code window}; returns how many went. */
    public Uni<Integer> pruneOlderThan(java.time.Duration window, int batchSize) {
        return pool.preparedQuery(PRUNE).execute(Tuple.of(window.toSeconds(), batchSize)).map(rows -> rows.rowCount());
    }

    /** The same, inside the caller's transaction (so the event's effect and its mark commit together). */
    public Uni<Boolean> rememberFirstDelivery(SqlClient conn, EventEnvelope event) {
        return conn.preparedQuery(REMEMBER)
                .execute(Tuple.of(event.eventId(), event.aggregateId(), event.eventType()))
                .map(rows -> rows.rowCount() == 1);
    }
}
