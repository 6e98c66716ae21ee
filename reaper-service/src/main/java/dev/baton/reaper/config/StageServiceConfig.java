package dev.baton.reaper.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Where stage-service, the only writer of stages and jobs, is reached, and how patiently. */
@ConfigMapping(prefix = "baton.stage-service")
public interface StageServiceConfig {

    /** Base URL of stage-service's REST API ({@code BATON_STAGE_SERVICE_URL}). */
    @WithDefault("http://localhost:8081")
    String url();

    /** Attempts of an idempotent read (GET) on 5xx or no answer; writes are never blindly retried. */
    @WithDefault("3")
    int attempts();

    /** First backoff between read attempts (doubles each time). */
    @WithDefault("200ms")
    Duration backoff();

    /** How long one call may take before it counts as unanswered. */
    @WithDefault("30s")
    Duration timeout();
}
