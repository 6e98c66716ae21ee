package dev.baton.stage.effect;

import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.task.TaskRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Arrays;

/**
 * An operator's decision on an effect in doubt, after checking the outside system by hand. It
 * writes only what the ledger's own re-entry step reads, so the next transition acts on it:
 *
 * <ol>
 *   <li>in one transaction, the newest {@code in_doubt} row of the effect becomes {@code done}
 *       ({@code happened}: the next attempt skips it, no second call) or {@code failed}
 *       ({@code did-not-happen}: the next attempt runs it again) — only while no lease is held
 *       on the work item, so no owner is resolving the same row at that moment;</li>
 *   <li>in the same transaction, a history row ({@code effect-decided}, actor {@code operator},
 *       the reason) and an {@code EffectDecided} alert in the outbox;</li>
 *   <li>0 rows changed: nothing is written, and the answer says why (no such row, or a lease).</li>
 * </ol>
 */
@ApplicationScoped
public class InDoubtDecision {

    private static final Logger LOG = Logger.getLogger(InDoubtDecision.class);
    /** Longest reason kept; the reason is for people reading history, not a document store. */
    static final int MAX_REASON = 500;

    static final String DECIDE = """
            UPDATE stage.transition_effect e SET status = $3, detail = $4, updated_at = now()
            WHERE e.task_id = $1 AND e.effect = $2 AND e.status = 'in_doubt'
              AND e.transition_seq = (SELECT max(d.transition_seq) FROM stage.transition_effect d
                                      WHERE d.task_id = $1 AND d.effect = $2 AND d.status = 'in_doubt')
              AND NOT EXISTS (SELECT 1 FROM stage.transition_lease l WHERE l.task_id = e.task_id)
            RETURNING e.transition_seq, e.token, e.from_stage, e.to_stage""";
    /** Why DECIDE changed nothing. */
    static final String WHY_NOT = """
            SELECT EXISTS (SELECT 1 FROM stage.transition_effect
                           WHERE task_id = $1 AND effect = $2 AND status = 'in_doubt') AS in_doubt,
                   EXISTS (SELECT 1 FROM stage.transition_lease WHERE task_id = $1) AS leased""";

    /** What the operator found out. */
    public enum Decision {
        HAPPENED("happened", "done"),
        DID_NOT_HAPPEN("did-not-happen", "failed");

        private final String key;
        private final String status;

        Decision(String key, String status) {
            this.key = key;
            this.status = status;
        }

        public String key() {
            return key;
        }

        /** @throws ProblemException 400 for anything but {@code happened} or {@code did-not-happen} */
        public static Decision of(String key) {
            return Arrays.stream(values()).filter(d -> d.key.equals(key)).findFirst().orElseThrow(() ->
                    ProblemException.badRequest("decision must be 'happened' or 'did-not-happen'"));
        }
    }

    /** The ledger row as decided. */
    public record Decided(String taskId, String effect, String decision, String status, String from, String to,
                          long token, String reason) {
    }

    private final Pool pool;
    private final TaskRepository tasks;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;

    public InDoubtDecision(Pool pool, TaskRepository tasks, OutboxRepository outbox, OutboxRelay relay) {
        this.pool = pool;
        this.tasks = tasks;
        this.outbox = outbox;
        this.relay = relay;
    }

    public Uni<Decided> decide(String taskId, String effect, Decision decision, String reason) {
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > MAX_REASON) {
            throw ProblemException.badRequest("a reason (what you checked, up to " + MAX_REASON
                    + " characters) is required");
        }
        if (effect == null || effect.isBlank()) {
            throw ProblemException.badRequest("the effect is required");
        }
        return pool.withTransaction(connection -> tasks.find(connection, taskId).flatMap(task -> {
            if (task.isEmpty()) {
                return Uni.createFrom().failure(ProblemException.notFound("no task " + taskId));
            }
            String detail = "operator: " + decision.key() + " — " + why;
            return connection.preparedQuery(DECIDE)
                    .execute(Tuple.of(taskId, effect, decision.status, detail))
                    .flatMap(rows -> {
                        if (rows.rowCount() > 1) {
                            throw new IllegalStateException("decision matched " + rows.rowCount() + " ledger rows");
                        }
                        if (rows.rowCount() == 0) {
                            return refusal(connection, taskId, effect);
                        }
                        Row row = rows.iterator().next();
                        Decided decided = new Decided(taskId, effect, decision.key(), decision.status,
                                row.getString("from_stage"), row.getString("to_stage"), row.getLong("token"), why);
                        String stage = task.get().stage();
                        return tasks.insertHistory(connection, taskId, stage, stage, Actor.OPERATOR.key(),
                                        "effect " + effect + " marked " + decision.key() + ": " + why,
                                        "effect-decided", decided.token(), true, null)
                                .flatMap(v -> outbox.alert(connection, taskId, "EffectDecided", new JsonObject()
                                        .put("taskId", taskId).put("effect", effect).put("decision", decision.key())
                                        .put("from", decided.from()).put("to", decided.to())
                                        .put("token", decided.token()).put("by", Actor.OPERATOR.key())
                                        .put("reason", why)))
                                .replaceWith(decided);
                    });
        })).invoke(decided -> {
            LOG.infof("operator marked effect %s of %s (%s -> %s) %s", effect, taskId, decided.from(), decided.to(),
                    decided.decision());
            relay.wake();
        });
    }

    private static Uni<Decided> refusal(SqlConnection connection, String taskId, String effect) {
        return connection.preparedQuery(WHY_NOT).execute(Tuple.of(taskId, effect)).map(rows -> {
            Row row = rows.iterator().next();
            if (!row.getBoolean("in_doubt")) {
                throw new ProblemException(409, "Conflict", "effect " + effect + " of " + taskId + " is not in doubt");
            }
            throw new ProblemException(409, "Conflict", "a transition of " + taskId
                    + " holds the lease right now; decide once it has ended (or force-release it first)");
        });
    }
}
