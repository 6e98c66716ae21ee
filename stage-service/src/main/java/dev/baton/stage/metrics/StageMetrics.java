package dev.baton.stage.metrics;

import dev.baton.stage.transition.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * stage-service's metrics, in one place (no metric name appears in business code); docs/operations.md
 * has the table. Every series a dashboard or alert reads is registered at start, at zero, so a rate or
 * an alert has a series before the first event:
 * <ul>
 *   <li>{@code baton_transitions_total{outcome}}: transition calls by outcome;</li>
 *   <li>{@code baton_lease_reclaims_total{kind}}: {@code stale} leases taken over, {@code forced} releases;</li>
 *   <li>{@code baton_effects_total{effect, result}}: irreversible effects run, {@code done}, {@code failed}
 *       or {@code in_doubt};</li>
 *   <li>{@code baton_inbound_total{result}}: inbound events by result, {@code redelivery} for a duplicate;</li>
 *   <li>{@code baton_retention_pruned_total{table}}: rows the retention job deleted;</li>
 *   <li>{@code baton_job_followups_total{outcome}}: transitions the follow-up sweep asked for a job claim's
 *       claimant, by the transition's outcome ({@code unanswered} when the call failed);</li>
 *   <li>the state gauges ({@link State}), as the last sample of the database read them.</li>
 * </ul>
 */
// @Startup: the series exist from the first scrape, not from the first use (a lazy bean).
@Startup
@ApplicationScoped
public class StageMetrics {

    /** Inbound results: the applier's outcomes, and a duplicate delivery. */
    public static final List<String> INBOUND_RESULTS = List.of("applied", "ignored", "deferred", "unknown", "redelivery");
    public static final List<String> EFFECT_RESULTS = List.of("done", "failed", "in_doubt");
    /** The tables the retention job prunes. */
    public static final String OUTBOX = "stage.outbox";
    public static final String INBOUND_EVENT = "stage.inbound_event";

    private final MeterRegistry registry;
    private final Map<Outcome, Counter> transitions = new EnumMap<>(Outcome.class);
    private final Counter staleReclaims;
    private final Counter forcedReleases;
    private final AtomicReference<State> state = new AtomicReference<>(State.NONE);

    /** What the database holds now, sampled on a schedule: the gauges. */
    public record State(long leasesLive, long leasesStale, long effectsInDoubt, long inboundWaiting, long inboundDead,
                        long outboxUnsent, double outboxOldestUnsentSeconds) {
        static final State NONE = new State(0, 0, 0, 0, 0, 0, 0);
    }

    public StageMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            transitions.put(outcome, registry.counter("baton.transitions", "outcome", outcome.key()));
        }
        staleReclaims = registry.counter("baton.lease.reclaims", "kind", "stale");
        forcedReleases = registry.counter("baton.lease.reclaims", "kind", "forced");
        INBOUND_RESULTS.forEach(result -> registry.counter("baton.inbound", "result", result));
        List.of(OUTBOX, INBOUND_EVENT).forEach(table -> registry.counter("baton.retention.pruned", "table", table));
        for (Outcome outcome : Outcome.values()) {
            registry.counter("baton.job.followups", "outcome", outcome.key());
        }
        registry.counter("baton.job.followups", "outcome", "unanswered");
        gauge("baton.leases", "state", "live", s -> s.leasesLive());
        gauge("baton.leases", "state", "stale", s -> s.leasesStale());
        gauge("baton.effects.in.doubt", null, null, s -> s.effectsInDoubt());
        gauge("baton.inbound.events", "status", "waiting", s -> s.inboundWaiting());
        gauge("baton.inbound.events", "status", "dead", s -> s.inboundDead());
        gauge("baton.outbox.unsent", null, null, s -> s.outboxUnsent());
        gauge("baton.outbox.oldest.unsent.seconds", null, null, s -> s.outboxOldestUnsentSeconds());
    }

    public void transition(Outcome outcome) {
        transitions.get(outcome).increment();
    }

    public void staleLeaseReclaimed() {
        staleReclaims.increment();
    }

    public void leaseForceReleased() {
        forcedReleases.increment();
    }

    /** Registers an effect's series at zero: the ledger knows its effects at start. */
    public void effectKnown(String effect) {
        EFFECT_RESULTS.forEach(result -> registry.counter("baton.effects", "effect", effect, "result", result));
    }

    public void effect(String effect, String result) {
        registry.counter("baton.effects", "effect", effect, "result", result).increment();
    }

    public void inbound(String result) {
        registry.counter("baton.inbound", "result", result).increment();
    }

    public void pruned(String table, long rows) {
        registry.counter("baton.retention.pruned", "table", table).increment(rows);
    }

    public void followup(String outcome) {
        registry.counter("baton.job.followups", "outcome", outcome).increment();
    }

    public void state(State sampled) {
        state.set(sampled);
    }

    public State state() {
        return state.get();
    }

    private void gauge(String name, String tag, String value, java.util.function.ToDoubleFunction<State> read) {
        Gauge.Builder<StageMetrics> builder = Gauge.builder(name, this, m -> read.applyAsDouble(m.state.get()));
        if (tag != null) {
            builder.tag(tag, value);
        }
        builder.register(registry);
    }
}
