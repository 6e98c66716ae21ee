package dev.baton.common;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks one at a time per key, in submission order per key, while different keys
 * run side by side. A consumer hands each record to its work item's queue: one work item's events
 * keep their order, and one slow work item (a held lease, a slow Telegram call) no longer holds up
 * every other one behind it on the partition.
 *
 * <p>Submit from one thread per key stream (a consumer's), so that submission order is arrival
 * order. A task that throws or fails still lets the next one of its key run.
 */
public final class PerKeySerial {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** The last task submitted per key; removed once it finished and nothing came after it. */
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /**
     * Starts {@code task} once every task submitted before it for {@code key} has ended.
     *
     * @return completes as the stage {@code task} returned does (exceptionally if it failed or
     *         {@code task} threw); the next task of the key runs either way
     */
    public CompletableFuture<Void> submit(String key, Supplier<? extends CompletionStage<?>> task) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        CompletableFuture<Void> mine = turn.thenCompose(ready -> start(task)).thenApply(result -> null);
        CompletableFuture<Void> before = tails.put(key, mine);
        mine.whenComplete((result, failure) -> tails.remove(key, mine));
        (before == null ? DONE : before).whenComplete((result, failure) -> turn.complete(null));
        return mine;
    }

    /** Keys with a task queued or running. */
    public int activeKeys() {
        return tails.size();
    }

    private static CompletionStage<?> start(Supplier<? extends CompletionStage<?>> task) {
        try {
            return task.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
