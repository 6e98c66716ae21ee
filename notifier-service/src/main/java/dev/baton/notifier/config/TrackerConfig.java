package dev.baton.notifier.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How a work item's tracker card is kept current. */
@ConfigMapping(prefix = "baton.tracker")
public interface TrackerConfig {

    /**
     * {@code edit}: update the card in place; {@code bump}: re-post it at the bottom, then delete
     * the old one. Anything else means {@code edit} (logged once), never a failed start.
     */
    @WithDefault("edit")
    String mode();

    /** How long one replica may hold a card while it talks to Telegram before another may take over. */
    @WithDefault("2m")
    @DurationRange(min = "1s", max = "1h")
    Duration claimTtl();

    /** Past this age a card that cannot be deleted (bump mode) is edited into a short "moved" stub. */
    @WithDefault("48h")
    @DurationRange(min = "1m", max = "48h")
    Duration deleteWindow();
}
