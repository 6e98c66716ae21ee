package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.Optional;

/** Gitea, where the irreversible effects happen (merge, workflow dispatches). */
@ConfigMapping(prefix = "baton.gitea")
public interface GiteaConfig {

    /** Gitea base URL, without {@code /api/v1} ({@code BATON_GITEA_URL}). */
    @WithDefault("http://localhost:3000")
    @HttpUrl
    String url();

    /** API token ({@code BATON_GITEA_TOKEN}); never logged. */
    Optional<String> token();

    /** The merge style Gitea applies ({@code Do}: merge, rebase, squash…). */
    @WithDefault("merge")
    String mergeStyle();

    /** Workflow file dispatched by {@code image_rebuild}. */
    @WithDefault("image.yml")
    String imageWorkflow();

    /** Workflow file dispatched by {@code prod_deploy}. */
    @WithDefault("deploy.yml")
    String deployWorkflow();

    /** Git ref the workflows run on. */
    @WithDefault("main")
    String ref();

    /** Attempts when Gitea answers "Please try again later" or 5xx before the effect fails. */
    @WithDefault("5")
    @Min(1)
    @Max(20)
    int attempts();

    /** First backoff between attempts (doubles each time). */
    @WithDefault("500ms")
    @DurationRange(min = "1ms", max = "1m")
    Duration backoff();

    /** How long one call may take before its outcome is in doubt. */
    @WithDefault("30s")
    @DurationRange(min = "100ms", max = "10m")
    Duration timeout();
}
