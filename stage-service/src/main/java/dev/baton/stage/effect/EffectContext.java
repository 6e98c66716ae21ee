package dev.baton.stage.effect;

import dev.baton.stage.gate.TaskFacts;
import io.opentelemetry.context.Context;

/**
 * What an effect acts on.
 *
 * @param transitionSeq the task version at entry: identifies the transition across reclaims
 * @param token the lease token this attempt runs under (for {@link Effect#resolve}: the one
 *              the recorded attempt ran under)
 * @param facts what the gates checked when the transition was entered (PR head SHA, coverage…);
 *              null on the unguarded path
 * @param trace the effect's span ({@code baton.effect}): the parent of the calls the effect makes
 *              to the outside system
 */
public record EffectContext(String taskId, String repo, long transitionSeq, long token, String from, String to,
                            String effect, TaskFacts facts, Context trace) {

    /** The same attempt under another token (resolving an attempt recorded under an older one). */
    public EffectContext withToken(long otherToken) {
        return new EffectContext(taskId, repo, transitionSeq, otherToken, from, to, effect, facts, trace);
    }

    /** Stable key an outside system can be asked about: work item, lease token, effect. */
    public String idempotencyKey() {
        return taskId + ":" + token + ":" + effect;
    }
}
