package dev.baton.stage.effect;

/**
 * What an effect acts on.
 *
 * @param transitionSeq the task version at entry: identifies the transition across reclaims
 * @param token the lease token this attempt runs under (for {@link Effect#resolve}: the one
 *              the recorded attempt ran under)
 */
public record EffectContext(String taskId, String repo, long transitionSeq, long token, String from, String to,
                            String effect) {

    /** Stable key an outside system can be asked about: work item, lease token, effect. */
    public String idempotencyKey() {
        return taskId + ":" + token + ":" + effect;
    }
}
