package dev.baton.notifier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the notifier speaks to people. */
@ConfigMapping(prefix = "baton.notifier")
public interface NotifierConfig {

    /** Language of card labels and alerts: {@code en} or {@code ru}. */
    @WithDefault("en")
    String locale();
}
