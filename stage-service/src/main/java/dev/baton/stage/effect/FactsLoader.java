package dev.baton.stage.effect;

import dev.baton.stage.gate.FactsRepository;
import dev.baton.stage.gate.TaskFacts;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The facts an effect acts on: those the gates checked when the transition was entered, or,
 * for an ungated transition (a person's decision), the stored ones read now.
 */
@ApplicationScoped
public class FactsLoader {

    private final Pool pool;
    private final FactsRepository facts;

    public FactsLoader(Pool pool, FactsRepository facts) {
        this.pool = pool;
        this.facts = facts;
    }

    public Uni<TaskFacts> of(EffectContext context) {
        if (context.facts() != null) {
            return Uni.createFrom().item(context.facts());
        }
        return pool.withConnection(c -> facts.facts(c, context.taskId())).map(found -> found.orElseThrow());
    }

    public Uni<Void> recordMerged(String taskId) {
        return pool.withTransaction(c -> facts.recordMerged(c, taskId, null));
    }

    public Uni<java.math.BigDecimal> raiseFloor(String repo, java.math.BigDecimal coverage) {
        return pool.withTransaction(c -> facts.raiseFloor(c, repo, coverage));
    }
}
