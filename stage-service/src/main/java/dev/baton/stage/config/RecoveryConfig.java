package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** Background loops of stage-service: stale-lease recovery, job claims' follow-ups and the outbox relay. */
@ConfigMapping(prefix = "baton.recovery")
public interface RecoveryConfig {

    /** How often stale leases (owner process gone) are reclaimed and re-driven after start. */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "24h")
    Duration interval();

    /**
     * How long after a job claim its claimant has to ask for the transition it claimed for, before
     * the follow-up sweep (every {@link #interval()}) asks it on the claimant's behalf.
     */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "1h")
    Duration followupGrace();

    /** How often the outbox relay looks for unsent rows besides being woken by commits. */
    @WithDefault("1s")
    @DurationRange(min = "1s", max = "1m")
    Duration outboxPoll();

    /** Largest batch the relay sends in one round. */
    @WithDefault("200")
    @Min(1)
    @Max(10000)
    int outboxBatch();
}
