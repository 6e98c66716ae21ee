package dev.baton.reaper.config;

import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Plane, read by the reconciler. The same variables as stage-service's Plane sync, so one
 * deployment names its Plane once; the stage → state map is not here but read from
 * stage-service ({@code GET /pipeline}'s {@code planeStates}), the one place it is configured.
 */
@ConfigMapping(prefix = "baton.plane")
public interface PlaneConfig {

    /** Plane base URL, without {@code /api/v1} ({@code BATON_PLANE_URL}). */
    @WithDefault("http://localhost:8000")
    @HttpUrl
    String url();

    /** API key sent as {@code X-API-Key} ({@code BATON_PLANE_API_KEY}); never logged. Unset = no reconciler. */
    Optional<String> apiKey();

    /** Workspace slug ({@code BATON_PLANE_WORKSPACE}). */
    @WithDefault("baton")
    String workspace();
}
