package dev.baton.runner.config;

import dev.baton.common.config.PlaneAccount;
import io.smallrye.config.ConfigMapping;

/**
 * Plane, where the agent's summary is posted as one comment per job ({@link PlaneAccount}); no API
 * key = no comments. The key is never given to an agent.
 */
@ConfigMapping(prefix = "baton.plane")
public interface PlaneConfig extends PlaneAccount {
}
