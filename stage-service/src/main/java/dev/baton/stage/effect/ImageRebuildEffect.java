package dev.baton.stage.effect;

import dev.baton.stage.client.GiteaClient;
import dev.baton.stage.config.GiteaConfig;
import jakarta.inject.Singleton;

/** {@code image_rebuild} (testing → deploy-staging): dispatches the image workflow. */
@Singleton
public class ImageRebuildEffect extends WorkflowDispatchEffect {

    private final GiteaConfig config;

    public ImageRebuildEffect(GiteaClient gitea, FactsLoader facts, GiteaConfig config) {
        super(gitea, facts);
        this.config = config;
    }

    @Override
    public String name() {
        return "image_rebuild";
    }

    @Override
    String workflow() {
        return config.imageWorkflow();
    }
}
