package dev.baton.reaper.job;

import dev.baton.common.tracing.WorkItemMdc;
import dev.baton.events.EventEnvelope;
import dev.baton.reaper.client.ClaimResult;
import dev.baton.reaper.client.RunningJob;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.client.SweepTurn;
import dev.baton.reaper.client.TransitionAnswer;
import dev.baton.reaper.config.ReaperConfig;
import dev.baton.reaper.config.ReplicaName;
import dev.baton.reaper.messaging.AlertPublisher;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The job reaper: one sweep over stage-service's running jobs. Holds no state; acts only through
 * stage-service's claims and transitions.
 *
 * <ol>
 *   <li>Take this interval's sweep turn ({@code POST /sweeps/job-reaper/claim}); another
 *       replica's turn → stop. The turn only saves load; the claims below are what make two
 *       replicas safe.</li>
 *   <li>One {@code GET /jobs?status=running}; per job pick the {@link Tier} from stage-service's
 *       ages.</li>
 *   <li>Tiers 1–2: a live lease owner → defer to the next sweep. A stale lease needs no call:
 *       the transition request reclaims it inside stage-service.</li>
 *   <li>Tier 2: gates read-only → the terminal status; Tier 1: {@code failed}; Tier 3:
 *       {@code reaped}. <b>Claim it first</b> (CAS running → status). Lost → nothing more, not
 *       one call.</li>
 *   <li>Won: Tier 3 force-releases the task's lease (stage-service alerts it); then ask for the
 *       transition the verdict or the pipeline's rollback names, unless the task already left
 *       the job's stage; then publish {@code JobReaped}.</li>
 * </ol>
 */
@ApplicationScoped
public class JobReaper {

    public static final String SWEEP = "job-reaper";
    public static final String ACTOR = "reaper";
    public static final String EVENT = "JobReaped";

    private static final Logger LOG = Logger.getLogger(JobReaper.class);

    private final StageServiceClient stage;
    private final AlertPublisher alerts;
    private final ReaperConfig config;
    private final Clock clock;
    private final String holder;

    @Inject
    public JobReaper(StageServiceClient stage, AlertPublisher alerts, ReaperConfig config, Clock clock,
                     ReplicaName replica) {
        this(stage, alerts, config, clock, replica.name());
    }

    /** A reaper replica named {@code holder} (tests run several in one JVM). */
    public JobReaper(StageServiceClient stage, AlertPublisher alerts, ReaperConfig config, Clock clock,
                     String holder) {
        this.stage = stage;
        this.alerts = alerts;
        this.config = config;
        this.clock = clock;
        this.holder = holder;
    }

    public String holder() {
        return holder;
    }

    /** One sweep; never fails (every stage-service answer is a decision). */
    public Uni<SweepReport> sweep() {
        double intervalS = config.interval().toMillis() / 1000.0;
        return stage.sweepTurn(SWEEP, holder, intervalS).flatMap(turn -> {
            if (turn == SweepTurn.TAKEN || turn == SweepTurn.UNANSWERED) {
                LOG.debugf("job reaper %s: no sweep this interval (%s)", holder, turn);
                return Uni.createFrom().item(SweepReport.skipped(turn));
            }
            return stage.runningJobs().flatMap(jobs -> jobs.isEmpty()
                    ? Uni.createFrom().item(SweepReport.skipped(SweepTurn.UNANSWERED))
                    : reapAll(turn, jobs.get()));
        }).onFailure().recoverWithItem(e -> {
            LOG.errorf(e, "job reaper %s: sweep failed", holder);
            return SweepReport.skipped(SweepTurn.UNANSWERED);
        });
    }

    private Uni<SweepReport> reapAll(SweepTurn turn, List<RunningJob> jobs) {
        // One job at a time: a sweep never multiplies the load it puts on stage-service.
        return Multi.createFrom().iterable(jobs).onItem().transformToUniAndConcatenate(this::reap)
                .collect().asList()
                .map(decisions -> {
                    SweepReport report = new SweepReport(turn, decisions);
                    if (!jobs.isEmpty()) {
                        LOG.infof("job reaper %s: swept %d running job(s) at %s: %d reaped, %d deferred, %d lost, "
                                        + "%d left", holder, jobs.size(), clock.instant(),
                                report.count(Decision.Action.REAPED), report.count(Decision.Action.DEFERRED),
                                report.count(Decision.Action.LOST), report.count(Decision.Action.LEFT));
                    }
                    return report;
                });
    }

    Uni<Decision> reap(RunningJob job) {
        Tier tier = Tier.of(job, config);
        Uni<Decision> decision = switch (tier) {
            case NONE -> Uni.createFrom().item(decision(job, tier, Decision.Action.LEFT, "not due"));
            case RUNNER_RESTARTED -> tier1(job);
            case FINALIZE_OVERDUE -> tier2(job);
            case MAX_RUNNING -> tier3(job);
        };
        return decision.onFailure().recoverWithItem(e -> decision(job, tier, Decision.Action.RETRY,
                "failed: " + e.getClass().getSimpleName()))
                .invoke(this::log);
    }

    /** Tier 1: the runner restarted before an exit code; fail the job and roll back per pipeline. */
    private Uni<Decision> tier1(RunningJob job) {
        if (liveLease(job)) {
            return deferred(job, Tier.RUNNER_RESTARTED);
        }
        return stage.pipeline().flatMap(pipeline -> {
            if (pipeline.isEmpty()) {
                return Uni.createFrom().item(decision(job, Tier.RUNNER_RESTARTED, Decision.Action.RETRY,
                        "pipeline unreadable"));
            }
            Optional<String> rollback = pipeline.get().rollbackOf(job.stage());
            if (rollback.isEmpty()) {
                // No rollback to ask for: the job stays running, and stage-service's recovery
                // requeues exactly these jobs (running, no exit, runner re-registered).
                return Uni.createFrom().item(decision(job, Tier.RUNNER_RESTARTED, Decision.Action.LEFT_FOR_REQUEUE,
                        "stage " + job.stage() + " has no rollback; stage-service requeues the job"));
            }
            String reason = "tier 1: runner " + job.runnerId() + " restarted (boot " + job.runnerBootId() + " -> "
                    + job.runnerCurrentBootId() + ") before an exit code; its agent is gone";
            return claimThen(job, Tier.RUNNER_RESTARTED, "failed", reason, rollback.get(),
                    () -> transitionUnlessMoved(job, rollback.get(), reason));
        });
    }

    /** Tier 2: the exit code stood past the grace; finalise from the gates' verdict. */
    private Uni<Decision> tier2(RunningJob job) {
        if (liveLease(job)) {
            return deferred(job, Tier.FINALIZE_OVERDUE);
        }
        String overdue = "tier 2: exit code " + job.exitCode() + " recorded " + job.finishedAgeS()
                + "s ago, runner did not finalise within " + config.finalizeGrace().toSeconds() + "s";
        if (job.taskAdvanced()) {
            return alreadyAdvanced(job, overdue, job.taskStage());
        }
        return stage.gates(job.taskId()).flatMap(gates -> {
            if (gates.isEmpty()) {
                return Uni.createFrom().item(decision(job, Tier.FINALIZE_OVERDUE, Decision.Action.RETRY,
                        "gates unreadable"));
            }
            if (!job.stage().equals(gates.get().stage())) {
                return alreadyAdvanced(job, overdue, gates.get().stage());
            }
            String status = gates.get().advance() ? "done" : "failed";
            String reason = overdue + "; gates " + gates.get().verdictKey();
            String target = gates.get().target();
            return claimThen(job, Tier.FINALIZE_OVERDUE, status, reason, target, () -> target == null
                    ? Uni.createFrom().item("no transition (verdict " + gates.get().verdictKey() + ")")
                    : transitionUnlessMoved(job, target, reason));
        });
    }

    /** The task left the job's stage already: close the job, ask for no transition. */
    private Uni<Decision> alreadyAdvanced(RunningJob job, String overdue, String now) {
        String status = job.exitCode() != null && job.exitCode() == 0 ? "done" : "failed";
        String reason = overdue + "; task already at " + now + ", no transition";
        return claimThen(job, Tier.FINALIZE_OVERDUE, status, reason, null, () -> Uni.createFrom().item(
                "task already advanced to " + now));
    }

    /** Tier 3: running past the ceiling. Claim, then force-release the lease, then roll back per pipeline. */
    private Uni<Decision> tier3(RunningJob job) {
        String reason = "tier 3: running " + job.ageS() + "s, longer than the " + config.maxRunning().toSeconds()
                + "s ceiling";
        // Claim before the force-release, so that of two replicas with stale snapshots only the
        // winner releases; a loser releasing later would break the winner's own new lease. The
        // rollback is read first, so that the claim names it (a follow-up if this process dies).
        return stage.pipeline().flatMap(pipeline -> {
            Optional<String> rollback = pipeline.flatMap(p -> p.rollbackOf(job.stage()));
            return claimThen(job, Tier.MAX_RUNNING, "reaped", reason, rollback.orElse(null), () -> forceRelease(job)
                    .flatMap(released -> rollback.isEmpty()
                            ? Uni.createFrom().item(released + "; no rollback for stage " + job.stage())
                            : transitionUnlessMoved(job, rollback.get(), reason).map(t -> released + "; " + t)));
        });
    }

    private Uni<String> forceRelease(RunningJob job) {
        if (job.lease() == null) {
            return Uni.createFrom().item("no lease");
        }
        return stage.releaseLease(job.taskId()).map(released -> {
            LOG.infof("job %d task %s tier 3: force-release of the lease held by %s/%s (token %d, live %s): %s",
                    job.id(), job.taskId(), job.lease().ownerActor(), job.lease().ownerInstance(),
                    job.lease().token(), job.lease().live(), released);
            return switch (released) {
                case RELEASED -> "lease force-released (owner " + job.lease().ownerActor() + ", token "
                        + job.lease().token() + ")";
                case NO_LEASE -> "lease already gone";
                default -> "lease NOT released: " + released;
            };
        });
    }

    /**
     * Claim-before-act: {@code act} runs only if this call won the CAS running → {@code status}.
     * A lost claim returns at once: no transition, no alert, no other call. {@code thenTo}: the stage
     * {@code act} moves the task to (null: none), written down with the claim so that stage-service
     * asks it itself should this process die between the claim and the transition.
     */
    private Uni<Decision> claimThen(RunningJob job, Tier tier, String status, String reason, String thenTo,
                                    java.util.function.Supplier<Uni<String>> act) {
        String then = job.taskAdvanced() ? null : thenTo;
        return stage.claim(job.id(), status, reason, then, ACTOR, requestId(job)).flatMap(claim -> {
            if (claim.outcome() == ClaimResult.Outcome.LOST) {
                return Uni.createFrom().item(decision(job, tier, Decision.Action.LOST,
                        "claim lost: job is " + claim.jobStatus()));
            }
            if (claim.outcome() == ClaimResult.Outcome.UNKNOWN) {
                return Uni.createFrom().item(decision(job, tier, Decision.Action.RETRY,
                        "claim unanswered: " + claim.detail()));
            }
            return act.get().flatMap(done -> {
                String detail = "claimed " + status + "; " + reason + "; " + done;
                return publish(job, tier, detail).replaceWith(decision(job, tier, Decision.Action.REAPED, detail));
            });
        });
    }

    private Uni<String> transitionUnlessMoved(RunningJob job, String to, String reason) {
        if (job.taskAdvanced()) {
            return Uni.createFrom().item("task already at " + job.taskStage() + ", no transition");
        }
        return stage.transition(job.taskId(), job.stage(), to, ACTOR, reason, requestId(job))
                .map(answer -> describe(job, to, answer));
    }

    /** The reaper's request id for a job's transition: the same in its claim's follow-up. */
    private static String requestId(RunningJob job) {
        return "reaper-job-" + job.id();
    }

    private String describe(RunningJob job, String to, TransitionAnswer answer) {
        String text = "transition " + job.stage() + " -> " + to + ": " + answer.outcome()
                + (answer.detail() == null ? "" : " (" + answer.detail() + ")");
        if (!answer.applied()) {
            // The claim is ours, so no sweep of running jobs sees this job again; stage-service's
            // follow-up of the claim asks the transition again a grace later while the task stays
            // at the job's stage (deferred, effect-failed), and forgets it once the task moved on.
            LOG.warnf("job %d task %s: claimed, but %s; stage-service follows the claim up while the task stays at %s",
                    job.id(), job.taskId(), text, job.stage());
        }
        return text;
    }

    private Uni<Void> publish(RunningJob job, Tier tier, String reason) {
        // One reap per job (the claim), so a stable id lets consumers drop any redelivery.
        String eventId = UUID.nameUUIDFromBytes((EVENT + ":" + job.id()).getBytes(StandardCharsets.UTF_8)).toString();
        EventEnvelope alert = new EventEnvelope(eventId, "task", job.taskId(), EVENT, clock.instant(),
                Map.of("taskId", job.taskId(), "jobId", job.id(), "tier", tier.number(), "reason", reason));
        return alerts.publish(alert).onFailure().recoverWithItem(e -> {
            LOG.warnf("job %d task %s: JobReaped alert not published (%s)", job.id(), job.taskId(),
                    e.getClass().getSimpleName());
            return null;
        });
    }

    private static boolean liveLease(RunningJob job) {
        return job.lease() != null && job.lease().live();
    }

    private Uni<Decision> deferred(RunningJob job, Tier tier) {
        RunningJob.Lease lease = job.lease();
        return Uni.createFrom().item(decision(job, tier, Decision.Action.DEFERRED, "live lease owner "
                + lease.ownerActor() + "/" + lease.ownerInstance() + " (" + lease.from() + " -> " + lease.to()
                + ", token " + lease.token() + ")"));
    }

    private static Decision decision(RunningJob job, Tier tier, Decision.Action action, String detail) {
        return new Decision(job.id(), job.taskId(), tier, action, detail);
    }

    /** Under the task's work item in the MDC, as every service's lines about one item are. */
    private void log(Decision d) {
        WorkItemMdc.around(d.taskId(), () -> {
            if (d.action() == Decision.Action.LEFT) {
                LOG.debugf("job %d task %s tier %d: %s", d.jobId(), d.taskId(), d.tier().number(), d.detail());
            } else {
                LOG.infof("job %d task %s tier %d: %s by %s: %s", d.jobId(), d.taskId(), d.tier().number(),
                        d.action(), holder, d.detail());
            }
        });
    }
}
