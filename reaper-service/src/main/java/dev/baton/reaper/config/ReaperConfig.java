package dev.baton.reaper.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The job reaper's rhythm and its tier thresholds. */
@ConfigMapping(prefix = "baton.reaper")
public interface ReaperConfig {

    /** How often the reaper looks at running jobs. */
    @WithDefault("30s")
    Duration interval();

    /** Tier 2: how long an exit code may stand before the reaper finalises the job itself. */
    @WithDefault("300s")
    Duration finalizeGrace();

    /** Tier 3: a job running longer than this is reaped whatever the lease says. */
    @WithDefault("2h")
    Duration maxRunning();
}
