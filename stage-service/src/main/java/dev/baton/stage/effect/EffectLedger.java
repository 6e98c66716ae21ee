package dev.baton.stage.effect;

import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.metrics.StageMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs each effect of a transition at most once, across crashes and owners.
 *
 * <ol>
 *   <li>record the effect {@code started} (committed) before it runs — for a transition's first
 *       effect the enter statement does this, in the same statement as the lease;</li>
 *   <li>run it, then record {@code done}, {@code failed} or {@code in_doubt} — each write
 *       fenced by the token the row was recorded under, so a fenced-off owner records nothing.
 *       The last effect's {@code done} is written by the transition's commit statement;</li>
 *   <li>on re-entry, a {@code done} row is skipped; a {@code started} or {@code in_doubt} row is
 *       resolved by asking the outside system first, and only re-run if it certainly did not
 *       happen; a {@code failed} row (certainly did not happen) is run again.</li>
 * </ol>
 */
@ApplicationScoped
public class EffectLedger {

    private static final Logger LOG = Logger.getLogger(EffectLedger.class);

    static final String START = """
            INSERT INTO stage.transition_effect (task_id, transition_seq, effect, token, from_stage, to_stage, status)
            VALUES ($1, $2, $3, $4, $5, $6, 'started')
            ON CONFLICT (task_id, transition_seq, effect) DO NOTHING""";
    static final String FIND = """
            SELECT status, token, detail FROM stage.transition_effect
            WHERE task_id = $1 AND transition_seq = $2 AND effect = $3""";
    /** Takes a recorded effect over for a new attempt under our token (from the status we saw). */
    static final String RESTART = """
            UPDATE stage.transition_effect
            SET status = 'started', token = $4, attempts = attempts + 1, updated_at = now()
            WHERE task_id = $1 AND transition_seq = $2 AND effect = $3 AND status = $5 AND token = $6""";
    /** Records an outcome, only while the row is still ours (same token). */
    static final String FINISH = """
            UPDATE stage.transition_effect
            SET status = $5, detail = $6, token = $4, updated_at = now()
            WHERE task_id = $1 AND transition_seq = $2 AND effect = $3 AND token = $7""";
    static final String LIST = """
            SELECT effect, status, token, detail, attempts FROM stage.transition_effect
            WHERE task_id = $1 ORDER BY transition_seq, started_at""";

    /** The outcome of running one effect through the ledger. */
    public enum Step { DONE, FAILED, IN_DOUBT, FENCED }

    /** One ledger row, for inspection. */
    public record Entry(String effect, String status, long token, String detail, int attempts) {
    }

    private final Pool pool;
    private final OutboxRepository outbox;
    private final Map<String, Effect> effects = new HashMap<>();
    private final StageMetrics metrics;

    public EffectLedger(Pool pool, OutboxRepository outbox, Instance<Effect> effects, StageMetrics metrics) {
        this.pool = pool;
        this.outbox = outbox;
        this.metrics = metrics;
        effects.forEach(effect -> this.effects.put(effect.name(), effect));
        this.effects.keySet().forEach(metrics::effectKnown);
    }

    /** The effect names the pipeline uses that no bean implements. */
    public Set<String> missing(Collection<String> names) {
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(effects.keySet());
        return missing;
    }

    /** Runs the effect directly, with no ledger: the kill switch's pre-lease behaviour. */
    public Uni<Step> runUnguarded(EffectContext context) {
        return apply(effect(context.effect()), context).map(result -> switch (result.status()) {
            case DONE -> Step.DONE;
            case FAILED -> Step.FAILED;
            case IN_DOUBT -> Step.IN_DOUBT;
        });
    }

    /**
     * What one effect's attempt came to. {@code pending}: a done the caller writes itself (the
     * last effect's, in the commit statement), fenced by {@code rowToken}, with {@code detail}.
     */
    public record Ran(Step step, boolean pending, long rowToken, String detail) {

        static Ran recorded(Step step) {
            return new Ran(step, false, 0, null);
        }
    }

    /**
     * Runs the effect at most once for this transition (see the class comment).
     *
     * @param last the transition's last effect: a done outcome is left to the caller's commit
     */
    public Uni<Ran> runOnce(EffectContext context, boolean last) {
        Effect effect = effect(context.effect());
        return pool.preparedQuery(START).execute(Tuple.of(context.taskId(), context.transitionSeq(), context.effect(),
                        context.token(), context.from(), context.to()))
                .flatMap(rows -> rows.rowCount() == 1
                        ? runAndRecord(effect, context, context.token(), last)
                        : pool.preparedQuery(FIND)
                                .execute(Tuple.of(context.taskId(), context.transitionSeq(), context.effect()))
                                .flatMap(found -> {
                                    Row row = found.iterator().next();
                                    return resume(effect, context, row.getString("status"), row.getLong("token"),
                                            last);
                                }));
    }

    /**
     * Continues from what the enter statement did with this (first) effect's row: it recorded it
     * {@code started} under our token ({@code status} null), or found an earlier attempt's row.
     */
    public Uni<Ran> runEntered(EffectContext context, String status, long recordedToken, boolean last) {
        Effect effect = effect(context.effect());
        return status == null ? runAndRecord(effect, context, context.token(), last)
                : resume(effect, context, status, recordedToken, last);
    }

    private Uni<Ran> resume(Effect effect, EffectContext context, String status, long recordedToken, boolean last) {
        return switch (status) {
            case "done" -> Uni.createFrom().item(Ran.recorded(Step.DONE));
            case "failed" -> restart(effect, context, status, recordedToken, last);
            default -> effect.resolve(context.withToken(recordedToken))
                    .onFailure().recoverWithItem(Resolution.UNKNOWN)
                    .flatMap(resolution -> switch (resolution) {
                        case HAPPENED -> record(context, recordedToken,
                                EffectResult.done("resolved: it had happened"), last);
                        case NOT_HAPPENED -> restart(effect, context, status, recordedToken, last);
                        // Still in doubt: the row keeps the token of the attempt that ran, which
                        // names its idempotency key, so a later resolve still finds that attempt.
                        case UNKNOWN -> record(context.withToken(recordedToken), recordedToken,
                                EffectResult.inDoubt("outcome of an earlier attempt cannot be established"), last);
                    });
        };
    }

    private Uni<Ran> restart(Effect effect, EffectContext context, String seenStatus, long seenToken, boolean last) {
        return pool.preparedQuery(RESTART).execute(Tuple.from(new Object[] {context.taskId(), context.transitionSeq(),
                        context.effect(), context.token(), seenStatus, seenToken}))
                .flatMap(rows -> rows.rowCount() == 1
                        ? runAndRecord(effect, context, context.token(), last)
                        : Uni.createFrom().item(Ran.recorded(Step.FENCED)));
    }

    private Uni<Ran> runAndRecord(Effect effect, EffectContext context, long rowToken, boolean last) {
        return apply(effect, context).flatMap(result -> record(context, rowToken, result, last));
    }

    private Uni<EffectResult> apply(Effect effect, EffectContext context) {
        return Uni.createFrom().deferred(() -> effect.apply(context))
                .onFailure().recoverWithItem(failure -> EffectResult.inDoubt(
                        "effect threw " + failure.getClass().getSimpleName() + ": " + failure.getMessage()));
    }

    /**
     * Writes the outcome under our token; an in-doubt outcome also raises an alert in the same
     * transaction. The last effect's done is not written here but handed back for the commit.
     */
    private Uni<Ran> record(EffectContext context, long rowToken, EffectResult result, boolean last) {
        String status = switch (result.status()) {
            case DONE -> "done";
            case FAILED -> "failed";
            case IN_DOUBT -> "in_doubt";
        };
        metrics.effect(context.effect(), status);
        if (result.status() == EffectResult.Status.DONE && last) {
            return Uni.createFrom().item(new Ran(Step.DONE, true, rowToken, result.detail()));
        }
        if (result.status() == EffectResult.Status.IN_DOUBT) {
            LOG.warnf("effect %s of %s (%s -> %s) is in doubt: %s", context.effect(), context.taskId(),
                    context.from(), context.to(), result.detail());
        }
        return pool.withTransaction(connection -> connection.preparedQuery(FINISH)
                .execute(Tuple.from(new Object[] {context.taskId(), context.transitionSeq(), context.effect(),
                        context.token(), status, result.detail(), rowToken}))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(Ran.recorded(Step.FENCED));
                    }
                    Step step = switch (result.status()) {
                        case DONE -> Step.DONE;
                        case FAILED -> Step.FAILED;
                        case IN_DOUBT -> Step.IN_DOUBT;
                    };
                    if (step != Step.IN_DOUBT) {
                        return Uni.createFrom().item(Ran.recorded(step));
                    }
                    return outbox.alert(connection, context.taskId(), "EffectInDoubt", new JsonObject()
                                    .put("taskId", context.taskId()).put("effect", context.effect())
                                    .put("from", context.from()).put("to", context.to())
                                    .put("token", context.token()).put("detail", result.detail()))
                            .replaceWith(Ran.recorded(step));
                }));
    }

    public Uni<List<Entry>> entries(String taskId) {
        return pool.preparedQuery(LIST).execute(Tuple.of(taskId)).map(rows -> {
            List<Entry> entries = new java.util.ArrayList<>();
            for (Row row : rows) {
                entries.add(new Entry(row.getString("effect"), row.getString("status"), row.getLong("token"),
                        row.getString("detail"), row.getInteger("attempts")));
            }
            return entries;
        });
    }

    private Effect effect(String name) {
        return Optional.ofNullable(effects.get(name))
                .orElseThrow(() -> new IllegalStateException("no effect named " + name));
    }
}
