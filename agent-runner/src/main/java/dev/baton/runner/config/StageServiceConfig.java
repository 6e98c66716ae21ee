package dev.baton.runner.config;

import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where stage-service, the only writer of jobs and stages, is reached. */
@ConfigMapping(prefix = "baton.stage-service")
public interface StageServiceConfig {

    /** Base URL of stage-service's REST API ({@code BATON_STAGE_SERVICE_URL}). */
    @WithDefault("http://localhost:8081")
    @HttpUrl
    String url();
}
