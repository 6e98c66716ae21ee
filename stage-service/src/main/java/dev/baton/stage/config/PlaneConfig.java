package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.config.PlaneAccount;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.Optional;

/** Plane, mirrored after each transition (state + one comment) ({@link PlaneAccount}). Unset API key = no sync. */
@ConfigMapping(prefix = "baton.plane")
public interface PlaneConfig extends PlaneAccount {

    /**
     * This deployment's Plane state ids, {@code stage=uuid,stage=uuid} ({@code BATON_PLANE_STATE_MAP}):
     * laid over the pipeline definition's {@code plane.id} of those stages (see docs/pipeline.md).
     */
    Optional<String> stateMap();

    /** Requests per minute this process allows itself (Plane allows 60 per key). */
    @WithDefault("50")
    @Min(1)
    @Max(6000)
    int requestsPerMinute();

    /** How often pending syncs are looked for. */
    @WithDefault("1s")
    @DurationRange(min = "1s", max = "1h")
    Duration poll();

    /** Attempts before a sync is given up (and alerted). */
    @WithDefault("8")
    @Min(1)
    @Max(50)
    int attempts();
}
