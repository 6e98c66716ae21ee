package dev.baton.reaper.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** Where stage-service, the only writer of stages and jobs, is reached, and how patiently. */
@ConfigMapping(prefix = "baton.stage-service")
public interface StageServiceConfig {

    /** Base URL of stage-service's REST API ({@code BATON_STAGE_SERVICE_URL}). */
    @WithDefault("http://localhost:8081")
    @HttpUrl
    String url();

    /** Attempts of an idempotent read (GET) on 5xx or no answer; writes are never blindly retried. */
    @WithDefault("3")
    @Min(1)
    @Max(20)
    int attempts();

    /** First backoff between read attempts (doubles each time). */
    @WithDefault("200ms")
    @DurationRange(min = "1ms", max = "1m")
    Duration backoff();

    /** How long one call may take before it counts as unanswered. */
    @WithDefault("30s")
    @DurationRange(min = "100ms", max = "10m")
    Duration timeout();
}
