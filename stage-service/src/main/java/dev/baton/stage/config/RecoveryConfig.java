package dev.baton.stage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Background loops of stage-service: stale-lease recovery and the outbox relay. */
@ConfigMapping(prefix = "baton.recovery")
public interface RecoveryConfig {

    /** How often stale leases (owner process gone) are reclaimed and re-driven after start. */
    @WithDefault("30s")
    Duration interval();

    /** How often the outbox relay looks for unsent rows besides being woken by commits. */
    @WithDefault("1s")
    Duration outboxPoll();

    /** Largest batch the relay sends in one round. */
    @WithDefault("200")
    int outboxBatch();
}
