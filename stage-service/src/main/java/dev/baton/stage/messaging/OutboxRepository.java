package dev.baton.stage.messaging;

import dev.baton.common.tracing.TraceParent;
import dev.baton.events.Topics;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The transactional outbox. {@link #add} is always called on the connection of the
 * transaction that makes the state change, so an event exists iff its change committed. Each row
 * keeps the traceparent of the span it was written under (the transition's rows get theirs from
 * the step functions, {@code V90__outbox_trace_parent.sql}), for the relay to continue.
 */
@ApplicationScoped
public class OutboxRepository {

    static final String INSERT = """
            INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload, trace_parent)
            VALUES ($1, $2, 'task', $3, $4, $5, $6)""";
    static final String UNSENT = """
            SELECT id, event_id, topic, aggregate_type, aggregate_id, event_type, payload, occurred_at, trace_parent
            FROM stage.outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1""";
    static final String MARK_SENT = "UPDATE stage.outbox SET sent_at = now() WHERE id = ANY($1)";
    /** Only one relay at a time across replicas, so events leave in commit order. */
    static final String RELAY_LOCK = "SELECT pg_try_advisory_xact_lock($1, 0) AS locked";
    static final int RELAY_LOCK_NAMESPACE = 0x42544E02;

    /** A committed, not yet relayed event; {@code traceParent} null when it was written outside a trace. */
    public record Pending(long id, UUID eventId, String topic, String aggregateType, String aggregateId,
                          String eventType, JsonObject payload, Instant occurredAt, String traceParent) {
    }

    /** A transition or job fact, for {@code baton.transitions}. */
    public Uni<Void> transition(SqlClient client, String taskId, String eventType, JsonObject payload) {
        return add(client, Topics.TRANSITIONS, taskId, eventType, payload);
    }

    /** An operator-facing alert, for {@code baton.alerts}. */
    public Uni<Void> alert(SqlClient client, String taskId, String eventType, JsonObject payload) {
        return add(client, Topics.ALERTS, taskId, eventType, payload);
    }

    /** An inbound event that can never apply, with the reason, for {@code baton.inbound.dlq}. */
    public Uni<Void> deadLetter(SqlClient client, String workItem, String eventType, JsonObject payload) {
        return add(client, Topics.INBOUND_DLQ, workItem, eventType, payload);
    }

    /** Under the span current where the row is added: the HTTP request's, or none (a scheduled job's). */
    private Uni<Void> add(SqlClient client, String topic, String taskId, String eventType, JsonObject payload) {
        return client.preparedQuery(INSERT)
                .execute(Tuple.of(UUID.randomUUID(), topic, taskId, eventType, payload,
                        TraceParent.of(Context.current())))
                .replaceWithVoid();
    }

    /** Takes the relay's cluster-wide turn for this transaction; false if another replica has it. */
    public Uni<Boolean> tryRelayLock(SqlClient client) {
        return client.preparedQuery(RELAY_LOCK).execute(Tuple.of(RELAY_LOCK_NAMESPACE))
                .map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    public Uni<List<Pending>> unsent(SqlClient client, int limit) {
        return client.preparedQuery(UNSENT).execute(Tuple.of(limit)).map(rows -> {
            List<Pending> pending = new ArrayList<>();
            for (Row row : rows) {
                pending.add(new Pending(row.getLong("id"), row.getUUID("event_id"), row.getString("topic"),
                        row.getString("aggregate_type"), row.getString("aggregate_id"), row.getString("event_type"),
                        (JsonObject) row.getValue("payload"), row.getOffsetDateTime("occurred_at").toInstant(),
                        row.getString("trace_parent")));
            }
            return pending;
        });
    }

    public Uni<Void> markSent(SqlClient client, List<Long> ids) {
        return client.preparedQuery(MARK_SENT).execute(Tuple.of(ids.toArray(new Long[0]))).replaceWithVoid();
    }
}
