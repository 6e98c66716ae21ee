package dev.baton.reaper;

import dev.baton.reaper.deploy.DeployDecision;
import dev.baton.reaper.job.Decision;
import dev.baton.reaper.job.SweepReport;
import dev.baton.reaper.job.Tier;
import dev.baton.reaper.reconcile.Reconciliation;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reaper's metrics, in one place (no metric name appears in business code); docs/operations.md has
 * the table. Every series is registered at start, at zero:
 * <ul>
 *   <li>{@code baton_reaper_sweeps_total{sweep}} and {@code baton_reaper_sweep_last_timestamp_seconds{sweep}}:
 *       sweeps this replica finished (its turn or not), and when the last one did: a reaper that stopped
 *       sweeping shows as an old timestamp;</li>
 *   <li>{@code baton_reaper_jobs_reaped_total{tier}}: jobs this replica reaped, by tier;</li>
 *   <li>{@code baton_reaper_reconciler_total{action}}: the reconciler's verdict per work item; every action
 *       but {@code agreed} is a drift, by kind;</li>
 *   <li>{@code baton_reaper_finalizer_total{action}}: the deploy finalizer's outcome per task.</li>
 * </ul>
 */
// @Startup: the series exist from the first scrape, not from the first use (a lazy bean).
@Startup
@ApplicationScoped
public class ReaperMetrics {

    public static final String JOB_REAPER = "job-reaper";
    public static final String DEPLOY_FINALIZER = "deploy-finalizer";
    public static final String PLANE_RECONCILER = "plane-reconciler";

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, AtomicLong> lastSweepMillis = new ConcurrentHashMap<>();

    public ReaperMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (String sweep : List.of(JOB_REAPER, DEPLOY_FINALIZER, PLANE_RECONCILER)) {
            registry.counter("baton.reaper.sweeps", "sweep", sweep);
            AtomicLong last = new AtomicLong();
            lastSweepMillis.put(sweep, last);
            Gauge.builder("baton.reaper.sweep.last.timestamp.seconds", last, l -> l.get() / 1000.0)
                    .tag("sweep", sweep).register(registry);
        }
        for (Tier tier : Tier.values()) {
            if (tier != Tier.NONE) {
                registry.counter("baton.reaper.jobs.reaped", "tier", tag(tier));
            }
        }
        for (Reconciliation.Action action : Reconciliation.Action.values()) {
            registry.counter("baton.reaper.reconciler", "action", tag(action));
        }
        for (DeployDecision.Action action : DeployDecision.Action.values()) {
            registry.counter("baton.reaper.finalizer", "action", tag(action));
        }
    }

    public void jobSweep(SweepReport report) {
        swept(JOB_REAPER);
        for (Decision d : report.decisions()) {
            if (d.action() == Decision.Action.REAPED) {
                registry.counter("baton.reaper.jobs.reaped", "tier", tag(d.tier())).increment();
            }
        }
    }

    public void reconcilerSweep(List<Reconciliation> verdicts) {
        swept(PLANE_RECONCILER);
        verdicts.forEach(r -> registry.counter("baton.reaper.reconciler", "action", tag(r.action())).increment());
    }

    public void finalizerSweep(List<DeployDecision> decisions) {
        swept(DEPLOY_FINALIZER);
        decisions.forEach(d -> registry.counter("baton.reaper.finalizer", "action", tag(d.action())).increment());
    }

    private void swept(String sweep) {
        registry.counter("baton.reaper.sweeps", "sweep", sweep).increment();
        lastSweepMillis.get(sweep).set(clock.millis());
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
