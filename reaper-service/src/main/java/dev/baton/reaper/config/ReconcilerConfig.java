package dev.baton.reaper.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** The Plane reconciler's rhythm and its share of Plane's 60 requests a minute per API key. */
@ConfigMapping(prefix = "baton.reconciler")
public interface ReconcilerConfig {

    /** How often the reconciler compares Plane and Baton ({@code BATON_RECONCILER_INTERVAL}). */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "1h")
    Duration interval();

    /**
     * Plane reads a minute the reconciler allows itself, cluster-wide ({@code BATON_RECONCILER_REQUESTS_PER_MINUTE}).
     * Plane allows 60 per key; stage-service's sync takes up to 50 of them when it shares the key.
     */
    @WithDefault("10")
    @Min(1)
    @Max(6000)
    int requestsPerMinute();

    /** How long one Plane read may take before it counts as unanswered ({@code BATON_RECONCILER_PLANE_TIMEOUT}). */
    @WithDefault("10s")
    @DurationRange(min = "100ms", max = "5m")
    Duration planeTimeout();

    /** Wait after a 429 that carries no {@code Retry-After}. */
    @WithDefault("60s")
    @DurationRange(min = "1s", max = "1h")
    Duration throttledPause();

    /**
     * Plane reads per sweep: the per-minute budget divided by the most sweep turns any minute can
     * hold (stage-service grants one turn per 0.9 × interval), at least one.
     */
    default int perSweep() {
        double turnSpacingS = 0.9 * interval().toMillis() / 1000.0;
        int turnsPerMinute = (int) Math.ceil(60.0 / turnSpacingS);
        return Math.max(1, requestsPerMinute() / turnsPerMinute);
    }
}
