package dev.baton.stage.job;

import dev.baton.stage.config.RecoveryConfig;
import dev.baton.stage.lease.InFlight;
import dev.baton.stage.metrics.StageMetrics;
import dev.baton.stage.transition.Outcome;
import dev.baton.stage.transition.TransitionService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Claim-before-act leaves one window: a claimant killed after its claim of a job (the reaper's
 * {@code failed}, a finalisation's {@code done}) and before the transition it then asks for. The job
 * is no longer {@code running}, so no sweep of running jobs sees it again, and its task would stay at
 * the job's stage. The claim writes that transition down ({@link Followup}, same transaction); every
 * {@code baton.recovery.interval} this sweep forgets the follow-ups whose task moved on and asks the
 * rest, a grace after the claim, on the claimant's behalf (its actor, its request id).
 *
 * <p>Asking again is safe however far the claimant got: the stage CAS and the lease make a transition
 * made already answer {@code already} or {@code conflict}, one in flight {@code deferred}. A task with a
 * lease is not asked for at all (a live owner is at work, a stale lease is recovery's, an in-doubt
 * effect waits for its decision), so an in-doubt transition is never re-entered sweep after sweep.
 * Replicas claim the rows they ask for ({@code SKIP LOCKED}); a row asked for comes due again only a
 * grace later.
 */
@ApplicationScoped
public class FollowupSweep {

    private static final Logger LOG = Logger.getLogger(FollowupSweep.class);
    static final int BATCH = 100;
    /** Answers after which the task is where it will stay for this follow-up: nothing left to ask. */
    static final Set<Outcome> FINAL = EnumSet.of(Outcome.ADVANCED, Outcome.ALREADY, Outcome.LOST_RACE,
            Outcome.CONFLICT, Outcome.GATES_FAILED);

    private final Pool pool;
    private final FollowupRepository followups;
    private final TransitionService transitions;
    private final InFlight inFlight;
    private final RecoveryConfig config;
    private final StageMetrics metrics;

    public FollowupSweep(Pool pool, FollowupRepository followups, TransitionService transitions, InFlight inFlight,
                         RecoveryConfig config, StageMetrics metrics) {
        this.pool = pool;
        this.followups = followups;
        this.transitions = transitions;
        this.inFlight = inFlight;
        this.config = config;
        this.metrics = metrics;
    }

    @Scheduled(identity = "job-followups", every = "${baton.recovery.interval:30s}",
            delayed = "${baton.recovery.interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return sweep(config.followupGrace()).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("follow-up sweep failed, the next one will retry: %s", failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /** @return how many transitions were asked for */
    public Uni<Integer> sweep(Duration grace) {
        if (inFlight.draining()) {
            return Uni.createFrom().item(0);
        }
        return pool.withTransaction(c -> followups.forgetSettled(c).flatMap(settled -> followups.claimDue(c, grace, BATCH)))
                .flatMap(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::ask)
                        .collect().asList().map(asked -> asked.size()));
    }

    private Uni<Void> ask(Followup followup) {
        return transitions.transition(followup.request()).flatMap(result -> {
            metrics.followup(result.outcome().key());
            if (result.outcome() == Outcome.ADVANCED) {
                LOG.warnf("task %s: moved %s -> %s as %s for job %d, whose claimant did not", followup.taskId(),
                        followup.from(), followup.to(), followup.actor().key(), followup.jobId());
            } else if (!FINAL.contains(result.outcome())) {
                LOG.infof("task %s: follow-up of job %d %s -> %s answered %s; asked again after the grace",
                        followup.taskId(), followup.jobId(), followup.from(), followup.to(), result.outcome().key());
                return Uni.createFrom().voidItem();
            }
            return pool.withConnection(c -> followups.delete(c, followup.jobId()));
        }).onFailure().recoverWithUni(failure -> {
            metrics.followup("unanswered");
            LOG.warnf("task %s: follow-up of job %d failed (%s); asked again after the grace", followup.taskId(),
                    followup.jobId(), failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }
}
