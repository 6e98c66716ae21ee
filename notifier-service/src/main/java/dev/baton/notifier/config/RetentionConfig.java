package dev.baton.notifier.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.retention.RetentionSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How long the processed-event marks (the dedupe rows of {@code baton.transitions} and
 * {@code baton.alerts}) are kept (docs/operations.md, Retention). The window is a floor: the job
 * stretches it to the longer retention the broker reports for the two topics. How the job runs and
 * batches is {@link RetentionSettings}, as in stage-service.
 */
@ConfigMapping(prefix = "baton.retention")
public interface RetentionConfig extends RetentionSettings {

    /** Processed-event marks, at least. */
    @WithDefault("21d")
    @DurationRange(min = "1h", max = "3650d")
    Duration processed();
}
