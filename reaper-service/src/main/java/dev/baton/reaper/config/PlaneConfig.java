package dev.baton.reaper.config;

import dev.baton.common.config.PlaneAccount;
import io.smallrye.config.ConfigMapping;

/**
 * Plane, read by the reconciler ({@link PlaneAccount}; no API key = no reconciler). The same variables as stage-service's Plane sync, so one
 * deployment names its Plane once; the stage → state map is not here but read from
 * stage-service ({@code GET /pipeline}'s {@code planeStates}), the one place it is configured.
 */
@ConfigMapping(prefix = "baton.plane")
public interface PlaneConfig extends PlaneAccount {
}
