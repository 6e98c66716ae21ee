package dev.baton.stage.transition;

import dev.baton.common.tracing.TraceParent;
import dev.baton.stage.Task;
import dev.baton.stage.lease.Lease;
import dev.baton.stage.lease.ProcessIdentity;
import dev.baton.stage.pipeline.Transition;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The protocol's steps, each ONE statement (one round trip, one commit): the PL/pgSQL functions
 * of {@code V10__transition_fast_path.sql}, prepared once per connection. Each answers one
 * {@code stage.transition_step} row; its {@code outcome} is the decision. Each also gets the W3C
 * traceparent of the step's span ({@code V90__outbox_trace_parent.sql}), stored with the outbox rows
 * it writes so the relay continues that trace.
 */
@ApplicationScoped
public class TransitionRepository {

    /** Enter: read, checks, then under the task row lock either the whole effect-free change or the lease. */
    static final String ENTER = """
            SELECT * FROM stage.transition_enter($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                                                 $16, $17, $18)""";
    /** Commit: the last effect's done, the fenced lease release, the stage CAS and its rows. */
    static final String COMMIT = """
            SELECT * FROM stage.transition_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                                                  $16)""";
    /** The kill switch's pre-lease write: unconditional, guarded = false. */
    static final String UNGUARDED = """
            SELECT * FROM stage.transition_unguarded($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""";

    /** What a step decided, with the task as the step left it and the lease it met. */
    public record Step(String outcome, Task task, Lease lease, long token, String effectStatus, long effectToken) {

        static Step from(Row row) {
            Task task = row.getString("id") == null ? null : Task.from(row);
            Lease lease = row.getLong("token") == null || row.getString("owner_actor") == null ? null
                    : Lease.from(row.getString("id"), row);
            Long token = row.getLong("token");
            Long effectToken = row.getLong("effect_token");
            return new Step(row.getString("outcome"), task, lease, token == null ? 0 : token,
                    row.getString("effect_status"), effectToken == null ? 0 : effectToken);
        }
    }

    /**
     * The arguments every step that writes the change passes on to its rows (the commit participants).
     *
     * @param trace the span the rows are written under (its traceparent goes into the outbox rows);
     *              the transition's own span, narrowed to a step's by {@link #tracedBy}
     */
    public record Change(Transition transition, String actor, String reason, String requestId, boolean queueJob,
                         boolean planeSync, Context trace) {

        /** The same change, written under the span of {@code step}. */
        public Change tracedBy(Context step) {
            return new Change(transition, actor, reason, requestId, queueJob, planeSync, step);
        }

        String traceParent() {
            return TraceParent.of(trace);
        }
    }

    /**
     * @param owner  this process, or null while it is not registered
     * @param scope  the repos the lease guards, null for every repo
     * @param gatesPassed false to stop at {@code gates} before locking anything
     * @param lease  true to take the lease (effects to run), false to commit the change at once
     * @param effect the first effect, recorded {@code started} with the lease; null for none
     */
    public Uni<Step> enter(SqlClient client, String taskId, Change change, ProcessIdentity owner, String[] scope,
                           boolean gatesPassed, boolean lease, String effect) {
        Transition t = change.transition();
        return client.preparedQuery(ENTER).execute(Tuple.from(new Object[] {taskId, t.from(), t.to(),
                        t.kind().key(), t.kind().eventType(), change.actor(), change.reason(), change.requestId(),
                        owner == null ? null : owner.bootId(), owner == null ? null : owner.pid(),
                        owner == null ? null : owner.host(), scope, gatesPassed, lease, effect, change.queueJob(),
                        change.planeSync(), change.traceParent()}))
                .map(TransitionRepository::one);
    }

    /**
     * @param effect the last effect, to be recorded done (fenced by {@code effectToken}) in the same
     *               statement; null when it was recorded already (or there is none)
     */
    public Uni<Step> commit(SqlClient client, String taskId, long token, Change change, String effect,
                            long effectSeq, long effectToken, String effectDetail) {
        Transition t = change.transition();
        return client.preparedQuery(COMMIT).execute(Tuple.from(new Object[] {taskId, token, t.from(), t.to(),
                        t.kind().key(), t.kind().eventType(), change.actor(), change.reason(), change.requestId(),
                        effect, effect == null ? null : effectSeq, effect == null ? null : effectToken, effectDetail,
                        change.queueJob(), change.planeSync(), change.traceParent()}))
                .map(TransitionRepository::one);
    }

    public Uni<Step> unguarded(SqlClient client, String taskId, Change change) {
        Transition t = change.transition();
        return client.preparedQuery(UNGUARDED).execute(Tuple.from(new Object[] {taskId, t.from(), t.to(),
                        t.kind().key(), t.kind().eventType(), change.actor(), change.reason(), change.requestId(),
                        change.queueJob(), change.planeSync(), change.traceParent()}))
                .map(TransitionRepository::one);
    }

    private static Step one(RowSet<Row> rows) {
        if (rows.rowCount() != 1) {
            throw new IllegalStateException("a transition step answered " + rows.rowCount() + " rows");
        }
        return Step.from(rows.iterator().next());
    }
}
