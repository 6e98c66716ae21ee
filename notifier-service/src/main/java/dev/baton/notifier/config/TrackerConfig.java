package dev.baton.notifier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a work item's tracker card is kept current. */
@ConfigMapping(prefix = "baton.tracker")
public interface TrackerConfig {

    /** {@code edit}: update the card in place; {@code bump}: re-post it at the bottom, then delete the old one. */
    @WithDefault("edit")
    Mode mode();

    enum Mode {
        EDIT,
        BUMP
    }
}
