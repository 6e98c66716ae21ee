package dev.baton.common.config;

import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Which Plane a service talks to ({@code baton.plane.*}), named once per deployment with the same
 * variables in every service that calls Plane. A service's own {@code @ConfigMapping(prefix =
 * "baton.plane")} extends this with what only it needs.
 */
public interface PlaneAccount {

    /** Plane's base URL, without {@code /api/v1} ({@code BATON_PLANE_URL}). */
    @WithDefault("http://localhost:8000")
    @HttpUrl
    String url();

    /** API key sent as {@code X-API-Key} ({@code BATON_PLANE_API_KEY}); never logged. */
    Optional<String> apiKey();

    /** Workspace slug ({@code BATON_PLANE_WORKSPACE}). */
    @WithDefault("baton")
    String workspace();
}
