package dev.baton.stage;

import dev.baton.stage.effect.Effect;
import dev.baton.stage.effect.EffectContext;
import dev.baton.stage.effect.EffectResult;
import dev.baton.stage.effect.Resolution;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test effect that stands for an irreversible outside call. It counts its invocations per
 * work item (the "outside system" remembers what happened), takes a few milliseconds so races
 * overlap, and can be told per work item to hold until released, to fail, or to be unknowable.
 */
@ApplicationScoped
public class ProbeEffect implements Effect {

    private final Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
    /** Per work item and transition (its version at entry): what "the outside" knows happened. */
    private final Map<String, AtomicInteger> appliedPerTransition = new ConcurrentHashMap<>();
    private final Set<String> outside = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Void>> holds = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> entered = new ConcurrentHashMap<>();
    private final Map<String, EffectResult> results = new ConcurrentHashMap<>();
    private final Map<String, Resolution> resolutions = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public Uni<EffectResult> apply(EffectContext context) {
        String task = context.taskId();
        applied.computeIfAbsent(task, k -> new AtomicInteger()).incrementAndGet();
        appliedPerTransition.computeIfAbsent(task + "@" + context.transitionSeq(), k -> new AtomicInteger())
                .incrementAndGet();
        entered.computeIfAbsent(task, k -> new CompletableFuture<>()).complete(null);
        CompletableFuture<Void> hold = holds.getOrDefault(task, CompletableFuture.completedFuture(null));
        return Uni.createFrom().completionStage(hold)
                .onItem().delayIt().by(Duration.ofMillis(5))
                .map(ignored -> results.getOrDefault(task, EffectResult.done("probe ran")));
    }

    @Override
    public Uni<Resolution> resolve(EffectContext context) {
        Resolution told = resolutions.get(context.taskId());
        if (told != null) {
            return Uni.createFrom().item(told);
        }
        boolean happened = outside.contains(context.taskId())
                || applied(context.taskId(), context.transitionSeq()) > 0;
        return Uni.createFrom().item(happened ? Resolution.HAPPENED : Resolution.NOT_HAPPENED);
    }

    /** How many times the outside system saw this effect for the work item. */
    public int applied(String task) {
        AtomicInteger count = applied.get(task);
        return count == null ? 0 : count.get();
    }

    /** How many times the outside system saw this effect for the transition entered at {@code transitionSeq}. */
    public int applied(String task, long transitionSeq) {
        AtomicInteger count = appliedPerTransition.get(task + "@" + transitionSeq);
        return count == null ? 0 : count.get();
    }

    /** The outside system did it (e.g. before a crash). */
    public void happenedOutside(String task) {
        applied.computeIfAbsent(task, k -> new AtomicInteger()).incrementAndGet();
        outside.add(task);
    }

    /** Holds the effect of this work item until the returned future is completed. */
    public CompletableFuture<Void> hold(String task) {
        CompletableFuture<Void> hold = new CompletableFuture<>();
        holds.put(task, hold);
        return hold;
    }

    /** Completes when the effect of this work item has started running. */
    public CompletableFuture<Void> entered(String task) {
        return entered.computeIfAbsent(task, k -> new CompletableFuture<>());
    }

    public void answer(String task, EffectResult result) {
        results.put(task, result);
    }

    public void resolveAs(String task, Resolution resolution) {
        resolutions.put(task, resolution);
    }
}
