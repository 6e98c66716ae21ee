package dev.baton.stage.transition;

import dev.baton.stage.Actor;
import dev.baton.stage.lease.InFlight;
import dev.baton.stage.lease.Lease;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.lease.Liveness;
import dev.baton.stage.lease.ProcessIdentity;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.metrics.StageMetrics;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.task.TaskRepository;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Takes over the lease of a dead owner and re-drives its transition, for the protocol (a caller
 * that met a stale lease) and for the recovery sweep.
 *
 * <ol>
 *   <li>in one transaction: a CAS on the token the stale lease was seen with (which also bumps
 *       it, fencing the dead owner off), the {@code LeaseReclaimed} alert, and a re-read of the
 *       task: if it is no longer at the dead owner's {@code from}, or the pipeline no longer
 *       allows that transition, the lease is released and nothing is re-driven;</li>
 *   <li>the dead owner's transition is driven to its end ({@link TransitionCommitService}),
 *       without asking its gates again (a lease only exists once they passed, and its effects may
 *       have happened). Several reclaimers may race: the CAS lets exactly one of them win.</li>
 * </ol>
 */
@ApplicationScoped
public class LeaseReclaimService {

    private static final Logger LOG = Logger.getLogger(LeaseReclaimService.class);

    private final Pool pool;
    private final PipelineDefinition pipeline;
    private final TaskRepository tasks;
    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final Liveness liveness;
    private final CommitParticipants participants;
    private final TransitionCommitService commits;
    private final StageMetrics metrics;
    private final InFlight inFlight;

    public LeaseReclaimService(Pool pool, PipelineDefinition pipeline, TaskRepository tasks, LeaseRepository leases,
                               OutboxRepository outbox, Liveness liveness, CommitParticipants participants,
                               TransitionCommitService commits, StageMetrics metrics, InFlight inFlight) {
        this.pool = pool;
        this.pipeline = pipeline;
        this.tasks = tasks;
        this.leases = leases;
        this.outbox = outbox;
        this.liveness = liveness;
        this.participants = participants;
        this.commits = commits;
        this.metrics = metrics;
        this.inFlight = inFlight;
    }

    /**
     * Reclaims {@code stale} and re-drives its transition.
     *
     * @return the re-driven transition's result, or empty if nothing was re-driven (someone else
     *         changed the lease first, or the transition no longer applies)
     */
    Uni<Optional<TransitionResult>> reclaimAndRedrive(Lease stale, String reclaimer, ProcessIdentity me,
                                                      Context trace) {
        return pool.withTransaction(connection -> reclaim(connection, stale, reclaimer, me, trace))
                .flatMap(held -> held.isEmpty() ? Uni.createFrom().item(Optional.<TransitionResult>empty())
                        : commits.drive(held.get()).map(Optional::of));
    }

    /**
     * Re-drives every stale lease to completion; used at start and periodically. Each re-drive is in
     * flight like a transition ({@link InFlight}); once shutdown began, none starts. @return how many
     */
    public Uni<Integer> recoverStaleLeases(String reclaimer) {
        ProcessIdentity me = liveness.current().orElse(null);
        if (me == null || inFlight.draining()) {
            return Uni.createFrom().item(0);
        }
        return pool.withConnection(leases::all)
                .map(all -> all.stream().filter(lease -> !lease.live()).toList())
                .flatMap(stale -> Multi.createFrom().iterable(stale)
                        .onItem().transformToUniAndConcatenate(lease -> inFlight.admit(
                                        () -> reclaimAndRedrive(lease, reclaimer, me, Context.current()))
                                .map(result -> {
                                    result.ifPresent(r -> LOG.infof("recovered %s %s -> %s: %s", r.task(), r.from(),
                                            r.to(), r.outcome().key()));
                                    return result.isPresent() ? 1 : 0;
                                })
                                .onFailure().recoverWithItem(failure -> {
                                    LOG.warnf("cannot recover lease of %s: %s", lease.taskId(), failure.getMessage());
                                    return 0;
                                }))
                        .collect().asList()
                        .map(counts -> counts.stream().mapToInt(Integer::intValue).sum()));
    }

    /** @param trace the span the re-drive's rows are written under (the reclaiming transition's, if any) */
    private Uni<Optional<HeldLease>> reclaim(SqlConnection connection, Lease stale, String reclaimer,
                                             ProcessIdentity me, Context trace) {
        return leases.reclaim(connection, stale, reclaimer, me).flatMap(token -> {
            if (token.isEmpty()) {
                return Uni.createFrom().item(Optional.<HeldLease>empty());
            }
            metrics.staleLeaseReclaimed();
            LOG.warnf("reclaimed stale lease of %s (owner %s boot %s pid %d on %s, %s -> %s) by %s", stale.taskId(),
                    stale.ownerActor(), stale.ownerInstance(), stale.ownerPid(), stale.ownerHost(), stale.from(),
                    stale.to(), reclaimer);
            long ours = token.getAsLong();
            Optional<Transition> transition = pipeline.transition(stale.from(), stale.to());
            return outbox.alert(connection, stale.taskId(), "LeaseReclaimed", alert(stale, ours, reclaimer))
                    .flatMap(v -> tasks.find(connection, stale.taskId()))
                    .flatMap(task -> {
                        // The pipeline no longer allows the dead owner's transition, or the task
                        // moved on: just free the lease.
                        if (transition.isEmpty() || task.isEmpty() || !task.get().stage().equals(stale.from())) {
                            return leases.release(connection, stale.taskId(), ours)
                                    .replaceWith(Optional.<HeldLease>empty());
                        }
                        String actor = Actor.fromKey(stale.ownerActor()).orElse(Actor.OPERATOR).key();
                        String reason = "re-driven by " + reclaimer + " after owner " + stale.ownerInstance()
                                + " died" + (stale.reason() == null ? "" : ": " + stale.reason());
                        return Uni.createFrom().item(Optional.of(new HeldLease(task.get(),
                                participants.change(transition.get(), actor, reason, stale.requestId(), trace), ours,
                                true, null, false, null, 0)));
                    });
        });
    }

    private static JsonObject alert(Lease lease, long newToken, String by) {
        return new JsonObject().put("kind", "stale").put("taskId", lease.taskId())
                .put("previousOwner", new JsonObject().put("actor", lease.ownerActor())
                        .put("instance", lease.ownerInstance().toString()).put("pid", lease.ownerPid())
                        .put("host", lease.ownerHost()).put("since", lease.acquiredAt().toString()))
                .put("from", lease.from()).put("to", lease.to())
                .put("previousToken", lease.token()).put("token", newToken).put("by", by);
    }
}
