package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.retention.RetentionSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How long rows that only grow are kept (docs/operations.md, Retention). Each window is a floor: the
 * job stretches it to the retention the broker reports for the topic the rows belong to, so a row
 * that recognises a redelivery outlives every record that could be redelivered. How the job runs and
 * batches is {@link RetentionSettings}, as in the notifier.
 */
@ConfigMapping(prefix = "baton.retention")
public interface RetentionConfig extends RetentionSettings {

    /** Sent outbox rows (the console's alert lists read them), at least. */
    @WithDefault("30d")
    @DurationRange(min = "1h", max = "3650d")
    Duration outbox();

    /** Settled inbound events ({@code applied}, {@code ignored}): the dedupe rows of {@code baton.inbound}, at least. */
    @WithDefault("14d")
    @DurationRange(min = "1h", max = "3650d")
    Duration inbound();
}
