package dev.baton.notifier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the notifier speaks to people. */
@ConfigMapping(prefix = "baton.notifier")
public interface NotifierConfig {

    /** Work items whose cards are brought up to date at the same time (each one's events stay in order). */
    @WithDefault("8")
    int cardConcurrency();

    /** Language of card labels and alerts: {@code en} or {@code ru}. */
    @WithDefault("en")
    String locale();

    /** How long the pipeline definition read from stage-service is trusted before it is read again. */
    @WithDefault("5m")
    Duration pipelineRefresh();

    /** After a failed read of the pipeline, how long the built-in definition is used before trying again. */
    @WithDefault("30s")
    Duration pipelineRetry();

    /** The same alert (type, work item, subject) is sent at most once within this window. */
    @WithDefault("10m")
    Duration alertDedupeWindow();
}
