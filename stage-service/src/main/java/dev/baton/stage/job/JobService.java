package dev.baton.stage.job;

import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.gate.GateEvaluator;
import dev.baton.stage.gate.GateReport;
import dev.baton.stage.lease.InFlight;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.task.TaskRepository;
import dev.baton.stage.transition.TransitionRequest;
import dev.baton.stage.transition.TransitionResult;
import dev.baton.stage.transition.TransitionService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The agent-runner protocol: register, pick, report runs and exit, claim, finalise. */
@ApplicationScoped
public class JobService {

    static final Set<String> TERMINAL = Set.of("done", "failed", "reaped");

    private final Pool pool;
    private final JobRepository jobs;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;
    private final GateEvaluator gates;
    private final TaskRepository tasks;
    private final TransitionService transitions;
    private final InFlight inFlight;
    private final FollowupRepository followups;

    public JobService(Pool pool, JobRepository jobs, OutboxRepository outbox, OutboxRelay relay, GateEvaluator gates,
                      TaskRepository tasks, TransitionService transitions, InFlight inFlight,
                      FollowupRepository followups) {
        this.pool = pool;
        this.jobs = jobs;
        this.outbox = outbox;
        this.relay = relay;
        this.gates = gates;
        this.tasks = tasks;
        this.transitions = transitions;
        this.inFlight = inFlight;
        this.followups = followups;
    }

    /** The outcome of a claim; {@code job} is the job after a won claim. */
    public record Claim(boolean won, Job job) {
    }

    /** What finalisation did: the claim, the gates' verdict, and the transition it asked for. */
    public record Finalized(String claim, String status, GateReport gates, TransitionResult transition) {
    }

    /**
     * A runner registers with a fresh boot id. In the same transaction the jobs its previous boot was
     * running without an exit, on stages the pipeline gives no rollback, go back to the queue, each
     * with a {@code JobQueued} (their agent died with that process), so such a job runs once more at
     * once instead of waiting for stage-service's own restart. A job on a stage with a rollback stays
     * running for the reaper's Tier 1, which fails it and asks for the rollback.
     */
    public Uni<List<JobRepository.Requeued>> registerRunner(String runnerId, String bootId) {
        return pool.withTransaction(c -> jobs.registerRunner(c, runnerId, bootId)
                .flatMap(registered -> jobs.requeueOrphans(c, runnerId))
                .call(requeued -> Multi.createFrom().iterable(requeued)
                        .onItem().transformToUniAndConcatenate(job -> outbox.transition(c, job.taskId(), "JobQueued",
                                new JsonObject().put("taskId", job.taskId()).put("jobId", job.id())
                                        .put("stage", job.stage())))
                        .collect().asList()))
                .invoke(requeued -> {
                    if (!requeued.isEmpty()) {
                        relay.wake();
                    }
                });
    }

    public Uni<Optional<Job>> pick(String runnerId, List<String> stages) {
        return pool.withTransaction(c -> jobs.runnerExists(c, runnerId).flatMap(known -> {
            if (!known) {
                throw new ProblemException(409, "Conflict", "runner " + runnerId + " is not registered (POST /runners)");
            }
            return jobs.pick(c, runnerId, stages).call(job -> job.isEmpty() ? Uni.createFrom().voidItem()
                    : outbox.transition(c, job.get().taskId(), "JobStarted", new JsonObject()
                            .put("taskId", job.get().taskId()).put("jobId", job.get().id())
                            .put("stage", job.get().stage()).put("runnerId", runnerId)));
        })).invoke(this::wakeIfPresent);
    }

    public Uni<Long> recordRun(long jobId, JobRepository.AgentRun run) {
        return pool.withTransaction(c -> running(c, jobId).flatMap(job -> jobs.insertRun(c, job, run)
                .call(runId -> outbox.transition(c, job.taskId(), "AgentRunRecorded", new JsonObject()
                        .put("taskId", job.taskId()).put("jobId", job.id()).put("stage", job.stage())
                        .put("runId", runId).put("agent", run.agent()).put("model", run.model())
                        .put("effort", run.effort()).put("attempt", run.attempt())
                        .put("costUsd", run.costUsd().toPlainString()).put("tokensIn", run.tokensIn())
                        .put("tokensOut", run.tokensOut()).put("exitCode", run.exitCode())
                        .put("reason", run.reason())))))
                .invoke(ignored -> relay.wake());
    }

    /** Records the exit code (and why) once; the same code again is an idempotent success. */
    public Uni<Job> recordExit(long jobId, int code, String reason) {
        return pool.withTransaction(c -> jobs.recordExit(c, jobId, code, reason).flatMap(recorded -> jobs.find(c, jobId)
                .map(found -> {
                    Job job = found.orElseThrow(() -> ProblemException.notFound("no job " + jobId));
                    if (!recorded && !(job.exitCode() != null && job.exitCode() == code)) {
                        throw new ProblemException(409, "Conflict", "job " + jobId + " is " + job.status()
                                + (job.exitCode() == null ? "" : " with exit code " + job.exitCode()));
                    }
                    return job;
                })));
    }

    /**
     * Claim-before-act: the CAS {@code expected → status}; only the winner may act. {@code next}, if
     * given, is the transition the winner asks for right after: written down with the claim, so that
     * {@link FollowupSweep} asks it if the winner dies first.
     */
    public Uni<Claim> claim(long jobId, String expected, String status, String detail, Followup.Next next) {
        if (!TERMINAL.contains(status)) {
            throw ProblemException.badRequest("status must be one of " + TERMINAL);
        }
        return pool.withTransaction(c -> jobs.claim(c, jobId, expected, status, detail).flatMap(won -> {
            if (won.isPresent()) {
                Job job = won.get();
                return outbox.transition(c, job.taskId(), "JobFinished", new JsonObject().put("taskId", job.taskId())
                                .put("jobId", job.id()).put("stage", job.stage()).put("status", job.status())
                                .put("exitCode", job.exitCode()))
                        .call(() -> next == null ? Uni.createFrom().voidItem() : followups.insert(c, Followup.of(job, next)))
                        .replaceWith(new Claim(true, job));
            }
            return jobs.find(c, jobId).map(found -> new Claim(false,
                    found.orElseThrow(() -> ProblemException.notFound("no job " + jobId))));
        })).invoke(claim -> {
            if (claim.won()) {
                relay.wake();
            }
        });
    }

    /**
     * After the runner's own finalisation: evaluate the gates (read-only), claim the terminal
     * status they imply, and only if this call won the claim ask for the transition as
     * {@code monitor}. A claim lost to another actor (the reaper) does nothing more; one lost to an
     * earlier finalize of the same verdict asks for the transition again ({@link #finalizedAlike});
     * a task that already left the job's stage is not moved. The claim and its transition are in flight as one ({@link InFlight}): once shutdown
     * began the call is refused before the claim (the runner asks again, another replica answers), never
     * between a won claim and its transition.
     */
    public Uni<Finalized> finalizeJob(long jobId) {
        return inFlight.admit(() -> claimAndTransition(jobId));
    }

    private Uni<Finalized> claimAndTransition(long jobId) {
        return pool.withConnection(c -> jobs.find(c, jobId).flatMap(found -> {
            Job job = found.orElseThrow(() -> ProblemException.notFound("no job " + jobId));
            return gates.evaluate(c, job.taskId(), job.stage())
                    .map(evaluation -> new Evaluated(job, evaluation.report()));
        })).flatMap(evaluated -> {
            Job job = evaluated.job();
            GateReport report = evaluated.report();
            String status = report.advance() ? "done" : "failed";
            String detail = report.advance() ? null : report.verdictKey();
            Followup.Next next = report.target() == null ? null
                    : new Followup.Next(report.target(), Actor.MONITOR, requestId(job));
            return claim(jobId, "running", status, detail, next).flatMap(claim -> {
                if (claim.won()) {
                    return askTransition(job, report).map(result -> new Finalized("won", status, report, result));
                }
                if (finalizedAlike(claim.job(), status, detail)) {
                    return askTransition(job, report).map(result -> new Finalized("lost", status, report, result));
                }
                return Uni.createFrom().item(new Finalized("lost", claim.job().status(), report, null));
            });
        });
    }

    /**
     * The job was already claimed just as this finalize would claim it (same status, same detail: a
     * finalize, not the reaper), so this is the runner asking again after its first call got no
     * answer. That first call may have died between its claim and its transition (a SIGKILLed
     * replica), which would leave the task at the job's stage with nothing left to move it: the
     * transition is asked again. Safe however far the first one got: the stage CAS and the job's
     * request key make a transition already made answer {@code already}, one in flight {@code deferred}.
     */
    private static boolean finalizedAlike(Job claimed, String status, String detail) {
        return status.equals(claimed.status()) && Objects.equals(detail, claimed.detail());
    }

    private record Evaluated(Job job, GateReport report) {
    }

    private Uni<TransitionResult> askTransition(Job job, GateReport report) {
        if (report.target() == null) {
            return Uni.createFrom().nullItem();
        }
        return pool.withConnection(c -> tasks.find(c, job.taskId())).flatMap(task -> {
            if (task.isEmpty() || !task.get().stage().equals(job.stage())) {
                return Uni.createFrom().nullItem();
            }
            return transitions.transitionWithin(new TransitionRequest(job.taskId(), job.stage(), report.target(),
                    Actor.MONITOR, "job " + job.id() + " finished: " + report.verdictKey(), requestId(job)));
        });
    }

    /** The monitor's request id for a job's transition, the same on every finalize of it and on its follow-up. */
    private static String requestId(Job job) {
        return "job-" + job.id();
    }

    private Uni<Job> running(SqlConnection c, long jobId) {
        return jobs.find(c, jobId).map(found -> {
            Job job = found.orElseThrow(() -> ProblemException.notFound("no job " + jobId));
            if (!"running".equals(job.status())) {
                throw new ProblemException(409, "Conflict", "job " + jobId + " is " + job.status() + ", not running");
            }
            return job;
        });
    }

    private void wakeIfPresent(Optional<Job> job) {
        if (job.isPresent()) {
            relay.wake();
        }
    }
}
