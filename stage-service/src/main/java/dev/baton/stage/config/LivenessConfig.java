package dev.baton.stage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The liveness connection: a dedicated PostgreSQL session that holds this process's advisory
 * lock. It must reach PostgreSQL directly, never through a transaction-mode pooler.
 */
@ConfigMapping(prefix = "baton.liveness")
public interface LivenessConfig {

    /** Server-side TCP keepalive idle time, so a vanished owner's lock is dropped quickly. */
    @WithDefault("15")
    int keepalivesIdleSeconds();

    /** Server-side TCP keepalive probe interval. */
    @WithDefault("5")
    int keepalivesIntervalSeconds();

    /** Unanswered probes before the server drops the session (and the lock). */
    @WithDefault("4")
    int keepalivesCount();

    /** Wait between attempts to register again after the liveness connection is lost. */
    @WithDefault("2s")
    Duration reconnectDelay();

    /**
     * How long after it registered a registration without its lock may be forgotten by the
     * recovery sweep (a grace against ever deleting a row that is still being registered).
     */
    @WithDefault("60s")
    Duration forgetGrace();

    /** Pod or host name recorded as lease owner host; defaults to the HOSTNAME variable. */
    java.util.Optional<String> host();
}
