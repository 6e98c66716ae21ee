package dev.baton.reaper.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** The operator credential the reaper needs for Tier 3's force-release. */
@ConfigMapping(prefix = "baton.admin")
public interface AdminConfig {

    /**
     * Bearer token of stage-service's operator endpoints ({@code BATON_ADMIN_TOKEN}); never
     * logged. Unset = Tier 3 cannot force-release a lease (it still claims the job and alerts).
     */
    Optional<String> token();
}
