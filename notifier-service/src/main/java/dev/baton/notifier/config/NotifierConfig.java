package dev.baton.notifier.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** How the notifier speaks to people. */
@ConfigMapping(prefix = "baton.notifier")
public interface NotifierConfig {

    /**
     * Whether this replica competes to be a chat's sender. With {@code false} it only consumes
     * (folds events into the durable state) and another replica sends.
     */
    @WithDefault("true")
    boolean senders();

    /** How often a replica tries to become a chat's sender, and an idle sender looks for work another replica queued. */
    @WithDefault("1s")
    @DurationRange(min = "10ms", max = "1m")
    Duration senderPoll();

    /** Tries of one alert before it is given up (logged as an error and counted as dropped). */
    @WithDefault("10")
    @Min(1)
    @Max(100)
    int alertAttempts();

    /** Wait before an alert that Telegram did not take is tried again. */
    @WithDefault("15s")
    @DurationRange(min = "100ms", max = "1h")
    Duration alertRetry();

    /** Language of card labels and alerts: {@code en} or {@code ru}. */
    @WithDefault("en")
    String locale();

    /** How long the pipeline definition read from stage-service is trusted before it is read again. */
    @WithDefault("5m")
    @DurationRange(min = "1s", max = "24h")
    Duration pipelineRefresh();

    /** After a failed read of the pipeline, how long the built-in definition is used before trying again. */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "1h")
    Duration pipelineRetry();

    /** The same alert (type, work item, subject) is sent at most once within this window. */
    @WithDefault("10m")
    @DurationRange(min = "1s", max = "24h")
    Duration alertDedupeWindow();
}
