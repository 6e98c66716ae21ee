package dev.baton.reaper;

import dev.baton.reaper.client.SweepTurn;
import dev.baton.reaper.deploy.DeployDecision;
import dev.baton.reaper.job.Decision;
import dev.baton.reaper.job.SweepReport;
import dev.baton.reaper.job.Tier;
import dev.baton.reaper.reconcile.Reconciliation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a sweep's report turns into: reaped jobs by tier, drift by kind, finalizer outcomes, the last sweep. */
class ReaperMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReaperMetrics metrics = new ReaperMetrics(registry,
            Clock.fixed(Instant.parse("2026-12-01T08:00:00Z"), ZoneOffset.UTC));

    @Test
    void everySeriesExistsAtZeroBeforeTheFirstSweep() {
        assertEquals(0.0, count("baton.reaper.jobs.reaped", "tier", "max_running"));
        assertEquals(0.0, count("baton.reaper.reconciler", "action", "unresolved"));
        assertEquals(0.0, count("baton.reaper.finalizer", "action", "rolled_back"));
        assertEquals(0.0, registry.get("baton.reaper.sweep.last.timestamp.seconds").tag("sweep", "job-reaper").gauge().value());
    }

    @Test
    void onlyReapedJobsCountByTheirTier() {
        metrics.jobSweep(new SweepReport(SweepTurn.GRANTED, List.of(
                new Decision(1, "A", Tier.MAX_RUNNING, Decision.Action.REAPED, ""),
                new Decision(2, "B", Tier.MAX_RUNNING, Decision.Action.REAPED, ""),
                new Decision(3, "C", Tier.RUNNER_RESTARTED, Decision.Action.REAPED, ""),
                new Decision(4, "D", Tier.FINALIZE_OVERDUE, Decision.Action.DEFERRED, ""),
                new Decision(5, "E", Tier.MAX_RUNNING, Decision.Action.LOST, ""))));

        assertEquals(2.0, count("baton.reaper.jobs.reaped", "tier", "max_running"));
        assertEquals(1.0, count("baton.reaper.jobs.reaped", "tier", "runner_restarted"));
        assertEquals(0.0, count("baton.reaper.jobs.reaped", "tier", "finalize_overdue"));
        assertEquals(1.0, count("baton.reaper.sweeps", "sweep", "job-reaper"));
        assertEquals(Instant.parse("2026-12-01T08:00:00Z").getEpochSecond(),
                registry.get("baton.reaper.sweep.last.timestamp.seconds").tag("sweep", "job-reaper").gauge().value());
    }

    @Test
    void driftAndFinalizerOutcomesCountByKind() {
        metrics.reconcilerSweep(List.of(new Reconciliation("A", Reconciliation.Action.AGREED, ""),
                new Reconciliation("B", Reconciliation.Action.UNMAPPED, ""),
                new Reconciliation("C", Reconciliation.Action.UNMAPPED, "")));
        metrics.finalizerSweep(List.of(new DeployDecision("D", DeployDecision.Action.ROLLED_BACK, "")));
        // A sweep that found nothing still counts as a sweep: it is what the "not sweeping" alert watches.
        metrics.finalizerSweep(List.of());

        assertEquals(1.0, count("baton.reaper.reconciler", "action", "agreed"));
        assertEquals(2.0, count("baton.reaper.reconciler", "action", "unmapped"));
        assertEquals(1.0, count("baton.reaper.finalizer", "action", "rolled_back"));
        assertEquals(2.0, count("baton.reaper.sweeps", "sweep", "deploy-finalizer"));
        assertEquals(1.0, count("baton.reaper.sweeps", "sweep", "plane-reconciler"));
    }

    private double count(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }
}
