package dev.baton.notifier.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/**
 * How long the processed-event marks (the dedupe rows of {@code baton.transitions} and
 * {@code baton.alerts}) are kept (docs/operations.md, Retention). The window is a floor: the job
 * stretches it to the longer retention the broker reports for the two topics.
 */
@ConfigMapping(prefix = "baton.retention")
public interface RetentionConfig {

    /**
     * How often the job runs: a duration, or {@code off}. The scheduler reads the property itself
     * (application.properties repeats the default, which a mapping's default does not expand into).
     */
    @WithDefault("1h")
    String every();

    /** Processed-event marks, at least. */
    @WithDefault("21d")
    @DurationRange(min = "1h", max = "3650d")
    Duration processed();

    /** Rows deleted per statement: short transactions, no long lock on a busy table. */
    @WithDefault("500")
    @Min(1)
    @Max(100000)
    int batchSize();

    /** Batches per run: a bounded run; a backlog drains over the next runs. */
    @WithDefault("200")
    @Min(1)
    @Max(100000)
    int maxBatches();

    /** How long to wait for the broker's topic retention; without an answer nothing is pruned. */
    @WithDefault("5s")
    @DurationRange(min = "100ms", max = "5m")
    Duration brokerTimeout();
}
