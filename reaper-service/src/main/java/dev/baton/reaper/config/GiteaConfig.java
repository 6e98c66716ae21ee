package dev.baton.reaper.config;

import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.util.Optional;

/** Gitea, where the production deploy runs as an Actions workflow the deploy finalizer follows. */
@ConfigMapping(prefix = "baton.gitea")
public interface GiteaConfig {

    /** Gitea base URL, without {@code /api/v1} ({@code BATON_GITEA_URL}). */
    @WithDefault("http://localhost:3000")
    @HttpUrl
    String url();

    /** API token ({@code BATON_GITEA_TOKEN}); never logged. */
    Optional<String> token();

    /** How many of the latest {@code workflow_dispatch} runs are searched for a deploy's key. */
    @WithDefault("50")
    @Min(1)
    @Max(1000)
    int runsLimit();
}
