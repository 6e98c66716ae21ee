package dev.baton.stage.inbound;

import dev.baton.events.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Inbound events by id: the de-duplication key, and the queue of deferred ones. */
@ApplicationScoped
public class InboundRepository {

    static final String REMEMBER = """
            INSERT INTO stage.inbound_event (event_id, work_item, event_type, payload, status)
            VALUES ($1, $2, $3, $4, 'pending')
            ON CONFLICT (event_id) DO NOTHING""";
    static final String SETTLE = """
            UPDATE stage.inbound_event SET status = $2, outcome = $3, attempts = attempts + 1
            WHERE event_id = $1 AND status IN ('pending', 'deferred')""";
    static final String DEFER = """
            UPDATE stage.inbound_event
            SET status = 'deferred', outcome = $2, attempts = attempts + 1, next_at = now() + make_interval(secs => $3)
            WHERE event_id = $1 AND status IN ('pending', 'deferred')
            RETURNING attempts""";
    /**
     * Claims due retries, and pending ones a crash left behind (first delivered over a minute ago), at
     * most $1, for $2 seconds: a replica claiming at the same moment skips them, and they are not due
     * again for the others until the claim ends (or the attempt's DEFER or SETTLE moves them on). A
     * claimer that dies leaves its rows to the next pass after the claim.
     */
    static final String CLAIM_DUE = """
            WITH due AS (
                SELECT event_id FROM stage.inbound_event
                WHERE status IN ('pending', 'deferred') AND next_at <= now()
                  AND (status = 'deferred' OR received_at < now() - interval '1 minute')
                ORDER BY received_at LIMIT $1
                FOR UPDATE SKIP LOCKED)
            UPDATE stage.inbound_event e SET next_at = now() + make_interval(secs => $2)
            FROM due WHERE e.event_id = due.event_id
            RETURNING e.event_id, e.work_item, e.event_type, e.payload, e.received_at""";
    /**
     * An operator's replay: a dead event becomes deferred with a fresh count of attempts. Due a
     * minute from now, so the retry loop leaves it to the replay that applies it at once (and
     * picks it up should that replay be lost with its process).
     */
    static final String REVIVE = """
            UPDATE stage.inbound_event
            SET status = 'deferred', attempts = 0, next_at = now() + interval '1 minute', outcome = $2
            WHERE event_id = $1 AND status = 'dead'
            RETURNING event_id, work_item, event_type, payload, received_at""";
    static final String STATUS = "SELECT status, outcome FROM stage.inbound_event WHERE event_id = $1";

    /** Where an inbound event stands: {@code pending}, {@code deferred}, {@code applied}, {@code ignored} or {@code dead}. */
    public record EventStatus(String status, String outcome) {
    }

    private final Pool pool;

    public InboundRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return true the first time this event id is seen; false for a redelivery (nothing written) */
    public Uni<Boolean> rememberFirstDelivery(EventEnvelope event) {
        return pool.preparedQuery(REMEMBER)
                .execute(Tuple.of(event.eventId(), event.aggregateId(), event.eventType(),
                        new JsonObject(event.payload())))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Final state: applied, ignored or dead. */
    public Uni<Void> settle(String eventId, String status, String outcome) {
        return pool.preparedQuery(SETTLE).execute(Tuple.of(eventId, status, outcome)).replaceWithVoid();
    }

    /** @return the attempts made so far */
    public Uni<Integer> defer(String eventId, String outcome, Duration delay) {
        return pool.preparedQuery(DEFER).execute(Tuple.of(eventId, outcome, delay.toMillis() / 1000.0))
                .map(rows -> rows.rowCount() == 0 ? Integer.MAX_VALUE : rows.iterator().next().getInteger("attempts"));
    }

    /** Claims up to {@code limit} due events for {@code claim}; oldest first. */
    public Uni<List<EventEnvelope>> claimDue(int limit, Duration claim) {
        return pool.preparedQuery(CLAIM_DUE).execute(Tuple.of(limit, claim.toMillis() / 1000.0)).map(rows -> {
            List<EventEnvelope> due = new ArrayList<>();
            for (Row row : rows) {
                due.add(envelope(row));
            }
            due.sort(Comparator.comparing(EventEnvelope::occurredAt));
            return due;
        });
    }

    /** @return the revived event, or empty if no dead event has this id (nothing written) */
    public Uni<Optional<EventEnvelope>> revive(SqlClient client, String eventId, String note) {
        return client.preparedQuery(REVIVE).execute(Tuple.of(eventId, note))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(envelope(rows.iterator().next())));
    }

    /** An event's status and the outcome of its last attempt; empty if the id is unknown. */
    public Uni<Optional<EventStatus>> status(String eventId) {
        return pool.preparedQuery(STATUS).execute(Tuple.of(eventId)).map(rows -> {
            if (rows.rowCount() == 0) {
                return Optional.empty();
            }
            Row row = rows.iterator().next();
            return Optional.of(new EventStatus(row.getString("status"), row.getString("outcome")));
        });
    }

    private static EventEnvelope envelope(Row row) {
        JsonObject payload = (JsonObject) row.getValue("payload");
        Instant at = row.getOffsetDateTime("received_at").toInstant();
        return new EventEnvelope(row.getString("event_id"), "task", row.getString("work_item"),
                row.getString("event_type"), at, payload == null ? Map.of() : payload.getMap());
    }
}
