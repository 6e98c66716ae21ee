package dev.baton.stage.effect;

import dev.baton.stage.client.GiteaClient;
import dev.baton.stage.config.GiteaConfig;
import jakarta.inject.Singleton;

/** {@code prod_deploy} (deploy-staging → deploy): dispatches the production deploy workflow. */
@Singleton
public class ProdDeployEffect extends WorkflowDispatchEffect {

    private final GiteaConfig config;

    public ProdDeployEffect(GiteaClient gitea, FactsLoader facts, GiteaConfig config) {
        super(gitea, facts);
        this.config = config;
    }

    @Override
    public String name() {
        return "prod_deploy";
    }

    @Override
    String workflow() {
        return config.deployWorkflow();
    }
}
