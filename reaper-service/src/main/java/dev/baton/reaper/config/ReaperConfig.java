package dev.baton.reaper.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The job reaper's rhythm and its tier thresholds. */
@ConfigMapping(prefix = "baton.reaper")
public interface ReaperConfig {

    /** How often the reaper looks at running jobs. */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "1h")
    Duration interval();

    /** Tier 2: how long an exit code may stand before the reaper finalises the job itself. */
    @WithDefault("300s")
    @DurationRange(min = "1s", max = "24h")
    Duration finalizeGrace();

    /** Tier 3: a job running longer than this is reaped whatever the lease says. */
    @WithDefault("2h")
    @DurationRange(min = "1s", max = "7d")
    Duration maxRunning();

    /**
     * This replica's name in sweep claims ({@code BATON_REAPER_INSTANCE}); unset = the host name
     * plus a fresh suffix per process start.
     */
    Optional<String> instance();

    /** How long the pipeline definition read from stage-service is reused before it is read again. */
    @WithDefault("5m")
    @DurationRange(min = "1s", max = "24h")
    Duration pipelineTtl();
}
