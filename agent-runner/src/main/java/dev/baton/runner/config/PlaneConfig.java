package dev.baton.runner.config;

import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Plane, where the agent's summary is posted as one comment per job. */
@ConfigMapping(prefix = "baton.plane")
public interface PlaneConfig {

    /** Plane's base URL ({@code BATON_PLANE_URL}). */
    @WithDefault("http://localhost:8000")
    @HttpUrl
    String url();

    /** API key ({@code BATON_PLANE_API_KEY}); unset = no comments. Never logged, never given to an agent. */
    Optional<String> apiKey();

    /** Workspace slug ({@code BATON_PLANE_WORKSPACE}). */
    @WithDefault("baton")
    String workspace();
}
