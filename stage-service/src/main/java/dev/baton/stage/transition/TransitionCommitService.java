package dev.baton.stage.transition;

import dev.baton.stage.effect.EffectContext;
import dev.baton.stage.effect.EffectLedger;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.tracing.TransitionTracing;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Drives a held lease to its end, for the protocol and for the re-drive of a dead owner's lease.
 *
 * <ol>
 *   <li>the effects, in order, through the ledger (each at most once across owners and crashes);
 *       the first that is not done stops the chain, and the lease is released (one statement, as
 *       after any failed step);</li>
 *   <li>the commit statement: the last effect's {@code done}, the lease released fenced by our
 *       token, the stage CAS, the history row, the outbox event and the participants' rows. A
 *       fenced-off owner changes nothing but the ledger; a lost CAS releases the lease and
 *       publishes nothing.</li>
 * </ol>
 * Each effect and the commit statement is a child span of the transition's ({@link TransitionTracing}).
 */
@ApplicationScoped
public class TransitionCommitService {

    private final Pool pool;
    private final TransitionRepository steps;
    private final LeaseRepository leases;
    private final EffectLedger ledger;
    private final OutboxRelay relay;
    private final TransitionTracing tracing;

    public TransitionCommitService(Pool pool, TransitionRepository steps, LeaseRepository leases, EffectLedger ledger,
                                   OutboxRelay relay, TransitionTracing tracing) {
        this.pool = pool;
        this.steps = steps;
        this.leases = leases;
        this.ledger = ledger;
        this.relay = relay;
        this.tracing = tracing;
    }

    Uni<TransitionResult> drive(HeldLease held) {
        // A step that failed (a lost connection, say) leaves the lease to whoever comes next
        // instead of to this live owner for as long as it lives: the release is fenced by our
        // token, so it frees nothing a commit already freed, and the ledger, not the lease, is
        // what keeps an effect that did run from running again.
        return effectsThenCommit(held).onFailure().call(failure -> leases.release(pool, held.task().id(),
                held.token()).onFailure().recoverWithNull());
    }

    private Uni<TransitionResult> effectsThenCommit(HeldLease held) {
        return effects(held, 0, null).flatMap(last -> {
            if (last != null && last.ran().step() != EffectLedger.Step.DONE) {
                Outcome outcome = switch (last.ran().step()) {
                    case FAILED -> Outcome.EFFECT_FAILED;
                    case IN_DOUBT -> Outcome.IN_DOUBT;
                    default -> Outcome.FENCED;
                };
                return leases.release(pool, held.task().id(), held.token())
                        .replaceWith(result(outcome, held, held.task().stage(), null,
                                "effect " + last.effect() + ": " + last.ran().step().name().toLowerCase()));
            }
            return commit(held, last != null && last.ran().pending() ? last : null);
        });
    }

    /** One effect's attempt. */
    private record Attempt(String effect, EffectLedger.Ran ran) {
    }

    /** The effects from {@code index} on, until one is not done; the last attempt (null if there are none). */
    private Uni<Attempt> effects(HeldLease held, int index, Attempt previous) {
        Transition transition = held.change().transition();
        List<String> effects = transition.effects();
        if (index == effects.size()) {
            return Uni.createFrom().item(previous);
        }
        String effect = effects.get(index);
        boolean last = index == effects.size() - 1;
        Uni<EffectLedger.Ran> ran = tracing.step("baton.effect", held.task().id(), effect, held.change().trace(),
                trace -> {
                    EffectContext context = new EffectContext(held.task().id(), held.task().repo(), held.version(),
                            held.token(), transition.from(), transition.to(), effect, held.facts(), trace);
                    return index == 0 && held.entered()
                            ? ledger.runEntered(context, held.effectStatus(), held.effectToken(), last)
                            : ledger.runOnce(context, last);
                },
                r -> r.step().name().toLowerCase());
        return ran.flatMap(r -> r.step() == EffectLedger.Step.DONE ? effects(held, index + 1, new Attempt(effect, r))
                : Uni.createFrom().item(new Attempt(effect, r)));
    }

    /** @param pending the last effect's done, still to be written (null if none or written already) */
    private Uni<TransitionResult> commit(HeldLease held, Attempt pending) {
        Transition transition = held.change().transition();
        return tracing.step("baton.transition.commit", held.task().id(), null, held.change().trace(),
                        trace -> steps.commit(pool, held.task().id(), held.token(), held.change().tracedBy(trace),
                                pending == null ? null : pending.effect(), held.version(),
                                pending == null ? 0 : pending.ran().rowToken(),
                                pending == null ? null : pending.ran().detail()),
                        TransitionRepository.Step::outcome)
                .map(step -> switch (step.outcome()) {
                    case "advanced" -> result(Outcome.ADVANCED, held, transition.to(), step.task().version(), null);
                    case "fenced" -> result(Outcome.FENCED, held, null, null,
                            "the lease was reclaimed before this owner committed; nothing was written");
                    case "lost-race" -> result(Outcome.LOST_RACE, held, null, null,
                            "the stage changed under the lease");
                    default -> throw new IllegalStateException("commit answered " + step.outcome());
                })
                .invoke(result -> {
                    if (result.outcome() == Outcome.ADVANCED) {
                        relay.wake();
                    }
                });
    }

    static TransitionResult result(Outcome outcome, HeldLease held, String stage, Long version, String detail) {
        Transition transition = held.change().transition();
        return new TransitionResult(outcome, held.task().id(), transition.from(), transition.to(),
                stage == null ? held.task().stage() : stage, version, held.token(), null, detail, null);
    }
}
