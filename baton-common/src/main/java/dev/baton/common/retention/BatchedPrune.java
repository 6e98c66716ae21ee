package dev.baton.common.retention;

import io.smallrye.mutiny.Uni;

import java.util.function.Supplier;

/**
 * How a retention job deletes: one short batch after another, until a batch comes back short (the
 * table holds no more old rows) or the run's batches are used up (a backlog drains over the next
 * runs). Each batch is the caller's one statement that deletes at most {@code batchSize} rows.
 */
public final class BatchedPrune {

    private BatchedPrune() {
    }

    /** Rows deleted in all the batches run. */
    public static Uni<Long> drain(Supplier<Uni<Integer>> batch, RetentionSettings settings) {
        return drain(batch, settings.batchSize(), settings.maxBatches(), 0);
    }

    private static Uni<Long> drain(Supplier<Uni<Integer>> batch, int batchSize, int left, long total) {
        if (left <= 0) {
            return Uni.createFrom().item(total);
        }
        return batch.get().flatMap(deleted -> deleted < batchSize
                ? Uni.createFrom().item(total + deleted)
                : drain(batch, batchSize, left - 1, total + deleted));
    }
}
