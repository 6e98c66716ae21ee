package dev.baton.common.retention;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/**
 * What every service's retention job shares ({@code baton.retention.*}): how often it runs, how it
 * batches its deletes and how long it waits for the broker. A service's own
 * {@code @ConfigMapping(prefix = "baton.retention")} extends this and adds its windows.
 */
public interface RetentionSettings {

    /**
     * How often the job runs: a duration, or {@code off}. The scheduler reads the property itself
     * (application.properties repeats the default, which a mapping's default does not expand into).
     */
    @WithDefault("1h")
    String every();

    /** Rows deleted per statement: short transactions, no long lock on a busy table. */
    @WithDefault("500")
    @Min(1)
    @Max(100000)
    int batchSize();

    /** Batches per table per run: a bounded run; a backlog drains over the next runs. */
    @WithDefault("200")
    @Min(1)
    @Max(100000)
    int maxBatches();

    /** How long to wait for the broker's topic retention; without an answer nothing is pruned. */
    @WithDefault("5s")
    @DurationRange(min = "100ms", max = "5m")
    Duration brokerTimeout();
}
