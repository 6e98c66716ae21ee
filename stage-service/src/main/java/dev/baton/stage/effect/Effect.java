package dev.baton.stage.effect;

import io.smallrye.mutiny.Uni;

/**
 * An irreversible side effect of a transition (merge a PR, start a deploy). Effects are CDI
 * beans named in the pipeline definition; they only ever run through the {@link EffectLedger}.
 * Blocking work must move off the event loop inside {@link #apply} (worker or virtual thread).
 */
public interface Effect {

    /** The name the pipeline definition uses, e.g. {@code merge_pr}. */
    String name();

    /**
     * Performs the effect once. A failure that leaves the outcome unknown (timeout, lost
     * connection) must answer {@link EffectResult#inDoubt}, never {@link EffectResult#failed}.
     */
    Uni<EffectResult> apply(EffectContext context);

    /**
     * Asks the outside system whether an effect recorded {@code started} (or {@code in_doubt})
     * really happened; called before anything else when a transition is re-entered.
     */
    Uni<Resolution> resolve(EffectContext context);
}
