package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.Optional;

/** How inbound webhook events (from {@code baton.inbound}) are applied. */
@ConfigMapping(prefix = "baton.inbound")
public interface InboundConfig {

    /**
     * This deployment's Plane state names, {@code name=stage,...} ({@code BATON_INBOUND_PLANE_STATES}):
     * laid over the pipeline definition's {@code plane.name} of those stages (see docs/pipeline.md).
     */
    Optional<String> planeStates();

    /** Repo of tasks created from Plane ({@code BATON_INBOUND_DEFAULT_REPO}); default {@code BATON_SELF_REPO}. */
    Optional<String> defaultRepo();

    /** Wait before a deferred event (live lease) or an unknown work item is tried again. */
    @WithDefault("5s")
    @DurationRange(min = "10ms", max = "1h")
    Duration retryDelay();

    /** Tries before an event that cannot apply goes to the dead-letter topic. */
    @WithDefault("12")
    @Min(1)
    @Max(1000)
    int maxAttempts();

    /** How often due retries are looked for. */
    @WithDefault("2s")
    @DurationRange(min = "1s", max = "1h")
    Duration poll();
}
