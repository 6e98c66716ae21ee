package dev.baton.stage.effect;

import dev.baton.stage.client.GiteaClient;
import io.smallrye.mutiny.Uni;

import java.util.Map;

/**
 * An effect that starts a Gitea Actions workflow with an idempotency key among its inputs (the
 * workflow sets {@code run-name} to it). In doubt → the run is looked up by that key before
 * anything else; a run that cannot be found stays in doubt (it may still appear): an operator or
 * the next resolve decides, never a blind second dispatch.
 */
abstract class WorkflowDispatchEffect implements Effect {

    private final GiteaClient gitea;
    private final FactsLoader facts;

    WorkflowDispatchEffect(GiteaClient gitea, FactsLoader facts) {
        this.gitea = gitea;
        this.facts = facts;
    }

    abstract String workflow();

    @Override
    public Uni<EffectResult> apply(EffectContext context) {
        String key = context.idempotencyKey();
        return facts.of(context).flatMap(f -> gitea.dispatch(context.repo(), workflow(), Map.of(
                        "idempotency_key", key,
                        "work_item", context.taskId(),
                        "sha", f.mergeSha() != null ? f.mergeSha() : String.valueOf(f.headSha())))
                .map(found -> switch (found) {
                    case YES -> EffectResult.done(workflow() + " dispatched with key " + key);
                    case NO -> EffectResult.failed(workflow() + " dispatch refused");
                    case UNKNOWN -> EffectResult.inDoubt(workflow() + " dispatch unanswered; key " + key);
                }));
    }

    @Override
    public Uni<Resolution> resolve(EffectContext context) {
        return gitea.runExists(context.repo(), context.idempotencyKey()).map(found -> found == GiteaClient.Found.YES
                ? Resolution.HAPPENED : Resolution.UNKNOWN);
    }
}
