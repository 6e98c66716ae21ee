package dev.baton.stage.effect;

import dev.baton.stage.client.GiteaClient;
import dev.baton.stage.config.GiteaConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * An effect that starts a Gitea Actions workflow with an idempotency key among its inputs (the
 * workflow sets {@code run-name} to it). In doubt → the run is looked up by that key before
 * anything else; a run that cannot be found stays in doubt (it may still appear): an operator or
 * the next resolve decides, never a blind second dispatch.
 */
public final class WorkflowDispatchEffect implements Effect {

    private final String name;
    private final String workflow;
    private final GiteaClient gitea;
    private final FactsLoader facts;

    WorkflowDispatchEffect(String name, String workflow, GiteaClient gitea, FactsLoader facts) {
        this.name = name;
        this.workflow = workflow;
        this.gitea = gitea;
        this.facts = facts;
    }

    /** {@code image_rebuild} (testing → deploy-staging) and {@code prod_deploy} (deploy-staging → deploy). */
    @Dependent
    static class Producers {

        @Produces
        @Singleton
        @Named("image_rebuild")
        Effect imageRebuild(GiteaClient gitea, FactsLoader facts, GiteaConfig config) {
            return new WorkflowDispatchEffect("image_rebuild", config.imageWorkflow(), gitea, facts);
        }

        @Produces
        @Singleton
        @Named("prod_deploy")
        Effect prodDeploy(GiteaClient gitea, FactsLoader facts, GiteaConfig config) {
            return new WorkflowDispatchEffect("prod_deploy", config.deployWorkflow(), gitea, facts);
        }
    }

    @Override
    public String name() {
        return name;
    }

    private String workflow() {
        return workflow;
    }

    @Override
    public Uni<EffectResult> apply(EffectContext context) {
        String key = context.idempotencyKey();
        return facts.of(context).flatMap(f -> gitea.dispatch(context.trace(), context.repo(), workflow(), Map.of(
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
        return gitea.runExists(context.trace(), context.repo(), context.idempotencyKey()).map(found -> found == GiteaClient.Found.YES
                ? Resolution.HAPPENED : Resolution.UNKNOWN);
    }
}
