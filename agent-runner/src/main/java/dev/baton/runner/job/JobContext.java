package dev.baton.runner.job;

import dev.baton.runner.RunnerMetrics;
import dev.baton.runner.client.GiteaClient;
import dev.baton.runner.client.PlaneClient;
import dev.baton.runner.client.StageServiceClient;
import dev.baton.runner.config.GiteaConfig;
import dev.baton.runner.config.RunnerConfig;
import dev.baton.runner.workspace.Workspaces;

/** What every job execution shares: the clients, the disk, the settings. */
record JobContext(StageServiceClient stageService, GiteaClient giteaClient, PlaneClient planeClient,
                  Workspaces workspaces, RunnerConfig config, GiteaConfig gitea, RunnerMetrics metrics) {

    /** The clone URL template: {@code BATON_RUNNER_GIT_URL}, else Gitea's {@code <url>/{repo}.git}. */
    String gitUrl() {
        return config.gitUrl().orElse(gitea.url().replaceAll("/+$", "") + "/{repo}.git");
    }
}
