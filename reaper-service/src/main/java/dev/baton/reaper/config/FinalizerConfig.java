package dev.baton.reaper.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The deploy finalizer: follows the production deploy runs of tasks in the stage the deploy effect enters. */
@ConfigMapping(prefix = "baton.finalizer")
public interface FinalizerConfig {

    /** How often the finalizer looks at tasks waiting for a deploy run ({@code BATON_FINALIZER_INTERVAL}). */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "1h")
    Duration interval();

    /**
     * The stage whose tasks wait for a deploy run ({@code BATON_FINALIZER_STAGE}); unset = the stage
     * the pipeline definition enters through a transition carrying {@link #effect()}.
     */
    Optional<String> stage();

    /** The effect that started the run; its ledger token makes the run's idempotency key. */
    @WithDefault("prod_deploy")
    String effect();

    /**
     * A rollout status URL to follow instead of Gitea's Actions runs ({@code BATON_FINALIZER_STATUS_URL}),
     * with {@code {taskId}} and {@code {key}} (the run's idempotency key) filled in, URL-encoded.
     * It answers {@code {"status":"pending|running|success|failure"}}; unset = follow the Gitea run.
     */
    @HttpUrl
    Optional<String> statusUrl();

    /** How long one status URL call may take ({@code BATON_FINALIZER_STATUS_TIMEOUT}). */
    @WithDefault("10s")
    @DurationRange(min = "100ms", max = "5m")
    Duration statusTimeout();
}
