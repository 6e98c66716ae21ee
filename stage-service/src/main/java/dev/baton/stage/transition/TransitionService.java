package dev.baton.stage.transition;

import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.Task;
import dev.baton.stage.effect.EffectContext;
import dev.baton.stage.effect.EffectLedger;
import dev.baton.stage.gate.GateEvaluator;
import dev.baton.stage.gate.TaskFacts;
import dev.baton.stage.job.JobQueue;
import dev.baton.stage.lease.Lease;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.lease.Liveness;
import dev.baton.stage.lease.ProcessIdentity;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.pipeline.InvalidPipelineException;
import dev.baton.stage.plane.PlaneSyncWorker;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.pipeline.TransitionKind;
import dev.baton.stage.repository.OutboxRepository;
import dev.baton.stage.repository.TaskRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The transition protocol (DESIGN.md §4):
 *
 * <ol>
 *   <li>scope: outside the lease's scope (or with the kill switch off) the pre-lease path runs,
 *       unchanged: check, effects, unconditional stage write;</li>
 *   <li>enter (commit 1): read the task; answer {@code already}/{@code conflict} at once; insert
 *       the lease, or find it: a live owner → {@code deferred}; a stale one → reclaim by CAS on
 *       its token (alert) and re-drive ITS transition first; then re-read the stage under the
 *       lease, so a commit that slipped in before the insert is seen;</li>
 *   <li>effects, in order, through the ledger (each at most once across owners and crashes);</li>
 *   <li>commit (commit 2): release the lease fenced by our token, the stage CAS, the history
 *       row and the outbox event, in ONE transaction. A fenced-off owner changes nothing; a
 *       lost CAS releases the lease and publishes nothing.</li>
 * </ol>
 */
@ApplicationScoped
public class TransitionService {

    private static final Logger LOG = Logger.getLogger(TransitionService.class);
    /** Enter attempts when the lease changes under us (released or reclaimed by another). */
    private static final int MAX_ENTER_ATTEMPTS = 3;
    /** Automated actors. A Gitea webhook reports what a person already did (a merge), so it is not gated. */
    static final Set<Actor> GATED_ACTORS = Set.of(Actor.MONITOR, Actor.REAPER, Actor.DEPLOY_FINALIZER);

    private final Pool pool;
    private final PipelineDefinition pipeline;
    private final TaskRepository tasks;
    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final EffectLedger ledger;
    private final Liveness liveness;
    private final LeaseScope scope;
    private final OutboxRelay relay;
    private final MeterRegistry metrics;
    private final GateEvaluator gates;
    private final JobQueue jobs;
    private final PlaneSyncWorker planeSync;

    public TransitionService(Pool pool, PipelineDefinition pipeline, TaskRepository tasks, LeaseRepository leases,
                             OutboxRepository outbox, EffectLedger ledger, Liveness liveness, LeaseScope scope,
                             OutboxRelay relay, MeterRegistry metrics, GateEvaluator gates, JobQueue jobs,
                             PlaneSyncWorker planeSync) {
        this.pool = pool;
        this.pipeline = pipeline;
        this.tasks = tasks;
        this.leases = leases;
        this.outbox = outbox;
        this.ledger = ledger;
        this.liveness = liveness;
        this.scope = scope;
        this.relay = relay;
        this.metrics = metrics;
        this.gates = gates;
        this.jobs = jobs;
        this.planeSync = planeSync;
    }

    /** Every effect the pipeline names must exist, or the service does not start. */
    void checkEffects(@Observes StartupEvent event) {
        Set<String> named = pipeline.transitions().stream().flatMap(t -> t.effects().stream())
                .collect(Collectors.toSet());
        Set<String> missing = ledger.missing(named);
        if (!missing.isEmpty()) {
            throw new InvalidPipelineException(List.of("no implementation for effect(s) " + missing));
        }
    }

    /** What the enter step decided. */
    private sealed interface Entry permits Answer, Unguarded, Held, Retry {
    }

    private record Answer(TransitionResult result) implements Entry {
    }

    private record Unguarded(Task task) implements Entry {
    }

    /** We own the lease: drive {@code transition} from {@code version}; {@code redrive} if it was a dead owner's. */
    private record Held(Task task, Transition transition, long token, long version, String actor, String reason,
                        String requestId, boolean redrive, TaskFacts facts) implements Entry {
    }

    private record Retry() implements Entry {
    }

    public Uni<TransitionResult> transition(TransitionRequest request) {
        Transition transition = allowed(request);
        return attempt(request, transition, 1)
                .invoke(result -> metrics.counter("baton.transitions", "outcome", result.outcome().key()).increment());
    }

    private Transition allowed(TransitionRequest request) {
        for (String stage : List.of(request.from(), request.to())) {
            if (!pipeline.hasStage(stage)) {
                throw ProblemException.unprocessable("unknown stage '" + stage + "'");
            }
        }
        return pipeline.transition(request.from(), request.to()).orElseThrow(() -> ProblemException.unprocessable(
                "the pipeline does not allow " + request.from() + " -> " + request.to()));
    }

    private Uni<TransitionResult> attempt(TransitionRequest request, Transition transition, int attempt) {
        return pool.withTransaction(connection -> enter(connection, request, transition)).flatMap(entry -> {
            if (entry instanceof Answer answer) {
                return Uni.createFrom().item(answer.result());
            }
            if (entry instanceof Unguarded unguarded) {
                return driveUnguarded(unguarded.task(), request, transition);
            }
            if (entry instanceof Held held) {
                Uni<TransitionResult> driven = drive(held, request);
                boolean same = held.transition().equals(transition);
                return held.redrive() && !same && attempt < MAX_ENTER_ATTEMPTS
                        ? driven.flatMap(ignored -> attempt(request, transition, attempt + 1))
                        : driven;
            }
            return attempt < MAX_ENTER_ATTEMPTS
                    ? attempt(request, transition, attempt + 1)
                    : Uni.createFrom().item(TransitionResult.of(Outcome.DEFERRED, request, null,
                            "the lease kept changing hands; try again"));
        });
    }

    private Uni<Entry> enter(SqlConnection connection, TransitionRequest request, Transition transition) {
        return tasks.find(connection, request.taskId()).flatMap(found -> {
            Task task = found.orElseThrow(() -> ProblemException.notFound("no task " + request.taskId()));
            if (!scope.guards(task.repo())) {
                return Uni.createFrom().item(new Unguarded(task));
            }
            TransitionResult settled = settled(task, request);
            if (settled != null) {
                return Uni.createFrom().item(new Answer(settled));
            }
            ProcessIdentity me = liveness.current().orElseThrow(() -> new ProblemException(503, "Service Unavailable",
                    "this instance lost its liveness registration; it enters no transition until registered again"));
            // The insert and the re-read go out together: the client pipelines them, the server
            // still runs the re-read (with its own snapshot) only after the insert has finished,
            // waits included, so it sees what it saw one round trip later. The re-read is unused
            // when the insert found a lease.
            return Uni.combine().all().unis(leases.acquire(connection, task.id(), request.actor().key(), me,
                                    request.from(), request.to(), request.reason(), request.requestId()),
                            tasks.find(connection, request.taskId())).asTuple()
                    .flatMap(acquired -> acquired.getItem1().isPresent()
                            ? underLease(connection, request, transition, acquired.getItem1().getAsLong(), false,
                                    acquired.getItem2().orElseThrow())
                            : contended(connection, request, me));
        });
    }

    /** Re-reads the stage now that we hold the lease: a commit that slipped in before our insert is seen here. */
    private Uni<Entry> underLease(SqlConnection connection, TransitionRequest request, Transition transition,
                                  long token, boolean redrive) {
        return tasks.find(connection, request.taskId())
                .flatMap(found -> underLease(connection, request, transition, token, redrive, found.orElseThrow()));
    }

    /** Decides on the stage {@code task} was re-read at, after the lease was taken. */
    private Uni<Entry> underLease(SqlConnection connection, TransitionRequest request, Transition transition,
                                  long token, boolean redrive, Task task) {
        TransitionResult settled = settled(task, request);
        if (settled != null) {
            return leases.release(connection, task.id(), token).replaceWith(redrive ? new Retry() : new Answer(settled));
        }
        // A lease only exists once its gates passed (they are checked in the transaction that
        // inserts it), so a dead owner's transition is re-driven without asking them again:
        // its effects may already have happened.
        if (redrive || !gated(transition, request.actor())) {
            return Uni.createFrom().item(new Held(task, transition, token, task.version(), request.actor().key(),
                    request.reason(), request.requestId(), redrive, null));
        }
        return gates.evaluate(connection, task.id(), task.stage()).flatMap(evaluation -> {
            if (evaluation.report().advance()) {
                return Uni.createFrom().item(new Held(task, transition, token, task.version(),
                        request.actor().key(), request.reason(), request.requestId(), redrive,
                        evaluation.facts()));
            }
            // Still inside the enter transaction: the lease row is removed as if never taken.
            return leases.release(connection, task.id(), token).replaceWith(new Answer(new TransitionResult(
                    Outcome.GATES_FAILED, task.id(), request.from(), request.to(), task.stage(), task.version(),
                    null, null, "the quality gates of '" + task.stage() + "' say "
                    + evaluation.report().verdictKey(), evaluation.report())));
        });
    }

    /**
     * Gates guard advances asked for by automated actors. A person's decision (Plane, an
     * operator, the reconciler mirroring Plane) and rollbacks or cancels are not gated.
     */
    private static boolean gated(Transition transition, Actor actor) {
        return transition.kind() == TransitionKind.ADVANCE && GATED_ACTORS.contains(actor);
    }

    /** The lease exists: defer to a live owner, or take a dead owner's lease over and re-drive its transition. */
    private Uni<Entry> contended(SqlConnection connection, TransitionRequest request, ProcessIdentity me) {
        return leases.find(connection, request.taskId()).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(new Retry());
            }
            Lease lease = found.get();
            if (lease.live()) {
                return Uni.createFrom().item(new Answer(new TransitionResult(Outcome.DEFERRED, request.taskId(),
                        request.from(), request.to(), null, null, null, TransitionResult.Owner.of(lease),
                        "a live owner holds the transition lease", null)));
            }
            return reclaim(connection, lease, request.actor().key(), me)
                    .map(entry -> entry == null ? new Retry() : entry);
        });
    }

    /**
     * Takes a stale lease over (CAS on its token, alert in the same transaction) and prepares
     * to re-drive the dead owner's transition. Null if someone else changed the lease first.
     */
    Uni<Entry> reclaim(SqlConnection connection, Lease stale, String reclaimer, ProcessIdentity me) {
        Transition transition = pipeline.transition(stale.from(), stale.to()).orElse(null);
        return leases.reclaim(connection, stale, reclaimer, me).flatMap(token -> {
            if (token.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            metrics.counter("baton.lease.reclaims", "kind", "stale").increment();
            LOG.warnf("reclaimed stale lease of %s (owner %s boot %s pid %d on %s, %s -> %s) by %s", stale.taskId(),
                    stale.ownerActor(), stale.ownerInstance(), stale.ownerPid(), stale.ownerHost(), stale.from(),
                    stale.to(), reclaimer);
            Uni<Void> alert = outbox.alert(connection, stale.taskId(), "LeaseReclaimed", leaseAlert("stale", stale,
                    token.getAsLong(), reclaimer));
            if (transition == null) {
                // The pipeline no longer allows the dead owner's transition: just free the lease.
                return alert.flatMap(v -> leases.release(connection, stale.taskId(), token.getAsLong()))
                        .replaceWith(new Retry());
            }
            TransitionRequest redrive = new TransitionRequest(stale.taskId(), stale.from(), stale.to(),
                    Actor.fromKey(stale.ownerActor()).orElse(Actor.OPERATOR),
                    "re-driven by " + reclaimer + " after owner " + stale.ownerInstance() + " died"
                            + (stale.reason() == null ? "" : ": " + stale.reason()),
                    stale.requestId());
            return alert.flatMap(v -> underLease(connection, redrive, transition, token.getAsLong(), true));
        });
    }

    /** Re-drives every stale lease to completion; used at start and periodically. */
    public Uni<Integer> recoverStaleLeases(String reclaimer) {
        ProcessIdentity me = liveness.current().orElse(null);
        if (me == null) {
            return Uni.createFrom().item(0);
        }
        return pool.withConnection(leases::all)
                .map(all -> all.stream().filter(lease -> !lease.live()).toList())
                .flatMap(stale -> Multi.createFrom().iterable(stale)
                        .onItem().transformToUniAndConcatenate(lease -> pool
                                .withTransaction(connection -> reclaim(connection, lease, reclaimer, me))
                                .flatMap(entry -> entry instanceof Held held
                                        ? drive(held, null).invoke(result -> LOG.infof(
                                                "recovered %s %s -> %s: %s", held.task().id(),
                                                held.transition().from(), held.transition().to(),
                                                result.outcome().key()))
                                        .replaceWith(1)
                                        : Uni.createFrom().item(0))
                                .onFailure().recoverWithItem(failure -> {
                                    LOG.warnf("cannot recover lease of %s: %s", lease.taskId(), failure.getMessage());
                                    return 0;
                                }))
                        .collect().asList()
                        .map(counts -> counts.stream().mapToInt(Integer::intValue).sum()));
    }

    /**
     * An operator's force-release: deletes the lease (its owner's fenced commit then changes
     * nothing, and the next acquire gets a higher token), with a history row and an alert.
     *
     * @return the released lease, or empty if there was none
     */
    public Uni<java.util.Optional<LeaseRepository.Released>> forceRelease(String taskId, String reason) {
        return pool.withTransaction(connection -> tasks.find(connection, taskId).flatMap(task -> {
            if (task.isEmpty()) {
                return Uni.createFrom().item(java.util.Optional.<LeaseRepository.Released>empty());
            }
            return leases.forceRelease(connection, taskId).flatMap(released -> {
                if (released.isEmpty()) {
                    return Uni.createFrom().item(released);
                }
                LeaseRepository.Released lease = released.get();
                metrics.counter("baton.lease.reclaims", "kind", "forced").increment();
                LOG.warnf("operator force-released the lease of %s held by %s (boot %s, token %d)", taskId,
                        lease.ownerActor(), lease.ownerInstance(), lease.token());
                String stage = task.get().stage();
                return tasks.insertHistory(connection, taskId, stage, stage, Actor.OPERATOR.key(), reason,
                                "lease-released", lease.token(), true, null)
                        .flatMap(v -> outbox.alert(connection, taskId, "LeaseReclaimed", new JsonObject()
                                .put("kind", "forced").put("taskId", taskId)
                                .put("previousOwner", new JsonObject().put("actor", lease.ownerActor())
                                        .put("instance", lease.ownerInstance()).put("pid", lease.ownerPid())
                                        .put("host", lease.ownerHost()))
                                .put("from", lease.from()).put("to", lease.to())
                                .put("previousToken", lease.token()).put("by", Actor.OPERATOR.key())
                                .put("reason", reason)))
                        .replaceWith(released);
            });
        })).invoke(released -> relay.wake());
    }

    /** {@code already} or {@code conflict} if the task is not at {@code from}; null if it is. */
    private static TransitionResult settled(Task task, TransitionRequest request) {
        if (task.stage().equals(request.to())) {
            return new TransitionResult(Outcome.ALREADY, task.id(), request.from(), request.to(), task.stage(),
                    task.version(), null, null, null, null);
        }
        if (!task.stage().equals(request.from())) {
            return new TransitionResult(Outcome.CONFLICT, task.id(), request.from(), request.to(), task.stage(),
                    task.version(), null, null, "the task is at '" + task.stage() + "', neither '" + request.from()
                    + "' nor '" + request.to() + "'", null);
        }
        return null;
    }

    /** Effects through the ledger, then the fenced commit. {@code request} is null for recovery. */
    private Uni<TransitionResult> drive(Held held, TransitionRequest request) {
        Transition transition = held.transition();
        String taskId = held.task().id();
        return untilNotDone(transition.effects(), 0, effect -> ledger.runOnce(new EffectContext(taskId,
                        held.task().repo(), held.version(), held.token(), transition.from(), transition.to(), effect,
                        held.facts())))
                .flatMap(failed -> {
                    if (failed == null) {
                        return commit(held);
                    }
                    Outcome outcome = switch (failed.step()) {
                        case FAILED -> Outcome.EFFECT_FAILED;
                        case IN_DOUBT -> Outcome.IN_DOUBT;
                        default -> Outcome.FENCED;
                    };
                    return pool.withTransaction(connection -> leases.release(connection, taskId, held.token()))
                            .replaceWith(result(outcome, held, held.task().stage(), null,
                                    "effect " + failed.effect() + ": " + failed.step().name().toLowerCase()));
                });
    }

    private record EffectStep(String effect, EffectLedger.Step step) {
    }

    /** Runs the effects in order, one after the other; the first that is not done stops the chain (null if all are). */
    private static Uni<EffectStep> untilNotDone(List<String> effects, int index,
                                                java.util.function.Function<String, Uni<EffectLedger.Step>> run) {
        if (index == effects.size()) {
            return Uni.createFrom().nullItem();
        }
        String effect = effects.get(index);
        return run.apply(effect).flatMap(step -> step == EffectLedger.Step.DONE
                ? untilNotDone(effects, index + 1, run)
                : Uni.createFrom().item(new EffectStep(effect, step)));
    }

    private Uni<TransitionResult> commit(Held held) {
        Transition transition = held.transition();
        String taskId = held.task().id();
        return pool.withTransaction(connection -> leases.release(connection, taskId, held.token()).flatMap(ours -> {
            if (!ours) {
                return Uni.createFrom().item(result(Outcome.FENCED, held, null, null,
                        "the lease was reclaimed before this owner committed; nothing was written"));
            }
            return tasks.writeStage(connection, taskId, transition.to(), transition.from()).flatMap(version -> {
                if (version.isEmpty()) {
                    // The lease is released by this same transaction; no history, no event.
                    return Uni.createFrom().item(result(Outcome.LOST_RACE, held, null, null,
                            "the stage changed under the lease"));
                }
                return recordChange(connection, held.task(), transition, held.actor(), held.reason(),
                        held.token(), true, held.requestId(), version.get())
                        .replaceWith(result(Outcome.ADVANCED, held, transition.to(), version.get(), null));
            });
        })).invoke(result -> {
            if (result.outcome() == Outcome.ADVANCED) {
                relay.wake();
            }
        });
    }

    /** The pre-lease path, kept exactly: check, run the effects, unconditional stage write. */
    private Uni<TransitionResult> driveUnguarded(Task task, TransitionRequest request, Transition transition) {
        TransitionResult settled = settled(task, request);
        if (settled != null) {
            return Uni.createFrom().item(settled);
        }
        return untilNotDone(transition.effects(), 0, effect -> ledger.runUnguarded(new EffectContext(task.id(),
                        task.repo(), task.version(), 0, transition.from(), transition.to(), effect, null)))
                .flatMap(failed -> failed != null
                        ? Uni.createFrom().item(TransitionResult.of(Outcome.EFFECT_FAILED, request, task.stage(),
                                "effect " + failed.effect() + ": " + failed.step().name().toLowerCase()))
                        : pool.withTransaction(connection -> tasks.writeStage(connection, task.id(), transition.to(),
                                        null)
                                .flatMap(version -> recordChange(connection, task, transition, request.actor().key(),
                                        request.reason(), null, false, request.requestId(), version.orElseThrow())
                                        .replaceWith(new TransitionResult(Outcome.ADVANCED, task.id(),
                                                request.from(), request.to(), transition.to(), version.get(), null,
                                                null, "unguarded: the transition lease does not cover this repo",
                                                null)))))
                .invoke(result -> relay.wake());
    }

    /** History row and outbox event of a committed stage change, on the committing connection. */
    private Uni<Void> recordChange(SqlConnection connection, Task task, Transition transition, String actor,
                                   String reason, Long token, boolean guarded, String requestId, long version) {
        JsonObject payload = new JsonObject()
                .put("taskId", task.id()).put("repo", task.repo()).put("title", task.title())
                .put("from", transition.from()).put("to", transition.to()).put("kind", transition.kind().key())
                .put("actor", actor).put("reason", reason).put("token", token).put("guarded", guarded)
                .put("version", version).put("requestId", requestId);
        // Four writes that do not depend on each other: issued together, the client pipelines them
        // on the connection and the server runs them in this order, so they cost one round trip,
        // not four (docs/benchmarks.md). Any failure aborts the transaction, as before.
        return Uni.join().all(
                        tasks.insertHistory(connection, task.id(), transition.from(), transition.to(), actor, reason,
                                transition.kind().key(), token, guarded, requestId),
                        outbox.transition(connection, task.id(), transition.kind().eventType(), payload),
                        jobs.enterStage(connection, task.id(), transition.to()),
                        planeSync.record(connection, task.id(), task.inPlane(), version, transition.from(),
                                transition.to(), token, actor))
                .andFailFast().replaceWithVoid();
    }

    private static TransitionResult result(Outcome outcome, Held held, String stage, Long version, String detail) {
        Transition transition = held.transition();
        return new TransitionResult(outcome, held.task().id(), transition.from(), transition.to(),
                stage == null ? held.task().stage() : stage, version, held.token(), null, detail, null);
    }

    static JsonObject leaseAlert(String kind, Lease lease, Long newToken, String by) {
        return new JsonObject().put("kind", kind).put("taskId", lease.taskId())
                .put("previousOwner", new JsonObject().put("actor", lease.ownerActor())
                        .put("instance", lease.ownerInstance().toString()).put("pid", lease.ownerPid())
                        .put("host", lease.ownerHost()).put("since", lease.acquiredAt().toString()))
                .put("from", lease.from()).put("to", lease.to())
                .put("previousToken", lease.token()).put("token", newToken).put("by", by);
    }
}
