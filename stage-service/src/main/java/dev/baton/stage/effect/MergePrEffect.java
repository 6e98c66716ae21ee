package dev.baton.stage.effect;

import dev.baton.stage.client.GiteaClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code merge_pr} (review → testing): merges the task's PR on Gitea at the head SHA the gates
 * checked. A PR already merged (outside Baton, or by an attempt that crashed) counts as done
 * without a second merge call.
 */
@ApplicationScoped
public class MergePrEffect implements Effect {

    private final GiteaClient gitea;
    private final FactsLoader facts;

    public MergePrEffect(GiteaClient gitea, FactsLoader facts) {
        this.gitea = gitea;
        this.facts = facts;
    }

    @Override
    public String name() {
        return "merge_pr";
    }

    @Override
    public Uni<EffectResult> apply(EffectContext context) {
        return facts.of(context).flatMap(f -> {
            if ("merged".equals(f.prState())) {
                return Uni.createFrom().item(EffectResult.done("PR #" + f.prNumber() + " was already merged"));
            }
            if (f.prNumber() == null || f.headSha() == null) {
                return Uni.createFrom().item(EffectResult.failed("no PR with a head SHA is recorded"));
            }
            return gitea.merge(context.trace(), context.repo(), f.prNumber(), f.headSha()).flatMap(result -> switch (result.outcome()) {
                case MERGED, ALREADY_MERGED -> facts.recordMerged(context.taskId())
                        .replaceWith(EffectResult.done("PR #" + f.prNumber() + " at " + f.headSha() + ": "
                                + result.detail()));
                case HEAD_OUT_OF_DATE -> Uni.createFrom().item(EffectResult.failed(
                        "rollback verdict: head out of date (" + result.detail() + ")"));
                case REFUSED -> Uni.createFrom().item(EffectResult.failed(result.detail()));
                // No answer: the same question the resolve step asks, before anything else.
                case UNKNOWN -> gitea.isMerged(context.trace(), context.repo(), f.prNumber()).flatMap(found -> found
                        == GiteaClient.Found.YES
                        ? facts.recordMerged(context.taskId()).replaceWith(EffectResult.done(
                                "PR #" + f.prNumber() + " merged (confirmed after: " + result.detail() + ")"))
                        : Uni.createFrom().item(EffectResult.inDoubt(result.detail())));
            });
        });
    }

    @Override
    public Uni<Resolution> resolve(EffectContext context) {
        return facts.of(context).flatMap(f -> {
            if ("merged".equals(f.prState())) {
                return Uni.createFrom().item(Resolution.HAPPENED);
            }
            if (f.prNumber() == null) {
                return Uni.createFrom().item(Resolution.NOT_HAPPENED);
            }
            return gitea.isMerged(context.trace(), context.repo(), f.prNumber()).map(found -> switch (found) {
                case YES -> Resolution.HAPPENED;
                case NO -> Resolution.NOT_HAPPENED;
                case UNKNOWN -> Resolution.UNKNOWN;
            });
        });
    }
}
