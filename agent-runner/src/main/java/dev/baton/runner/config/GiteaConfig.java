package dev.baton.runner.config;

import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Gitea: where repositories are cloned from and pushed to, and pull requests opened. */
@ConfigMapping(prefix = "baton.gitea")
public interface GiteaConfig {

    /** Gitea's base URL ({@code BATON_GITEA_URL}). */
    @WithDefault("http://localhost:3000")
    @HttpUrl
    String url();

    /** API and git token ({@code BATON_GITEA_TOKEN}); never logged, never given to an agent. */
    Optional<String> token();
}
