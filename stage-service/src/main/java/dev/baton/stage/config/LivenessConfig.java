package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/**
 * The liveness connection: a dedicated PostgreSQL session that holds this process's advisory
 * lock. It must reach PostgreSQL directly, never through a transaction-mode pooler.
 */
@ConfigMapping(prefix = "baton.liveness")
public interface LivenessConfig {

    /** Server-side TCP keepalive idle time, so a vanished owner's lock is dropped quickly. */
    @WithDefault("15")
    @Min(1)
    @Max(3600)
    int keepalivesIdleSeconds();

    /** Server-side TCP keepalive probe interval. */
    @WithDefault("5")
    @Min(1)
    @Max(600)
    int keepalivesIntervalSeconds();

    /** Unanswered probes before the server drops the session (and the lock). */
    @WithDefault("4")
    @Min(1)
    @Max(100)
    int keepalivesCount();

    /** Wait between attempts to register again after the liveness connection is lost. */
    @WithDefault("2s")
    @DurationRange(min = "10ms", max = "5m")
    Duration reconnectDelay();

    /**
     * How long after it registered a registration without its lock may be forgotten by the
     * recovery sweep (a grace against ever deleting a row that is still being registered).
     */
    @WithDefault("60s")
    @DurationRange(min = "1s", max = "24h")
    Duration forgetGrace();

    /**
     * At shutdown, how long the liveness lock is kept while transitions this process entered are
     * still running ({@code BATON_LIVENESS_DRAIN_TIMEOUT}). Whatever is still running then is left
     * to the survivors' recovery (the lock goes with the connection); 0s releases at once.
     */
    @WithDefault("30s")
    @DurationRange(min = "0s", max = "10m")
    Duration drainTimeout();

    /** Pod or host name recorded as lease owner host; defaults to the HOSTNAME variable. */
    java.util.Optional<String> host();
}
