package dev.baton.stage.transition;

import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.metrics.StageMetrics;
import dev.baton.stage.Task;
import dev.baton.stage.effect.EffectContext;
import dev.baton.stage.effect.EffectLedger;
import dev.baton.stage.gate.GateEvaluator;
import dev.baton.stage.gate.TaskFacts;
import dev.baton.stage.lease.InFlight;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.lease.Liveness;
import dev.baton.stage.lease.ProcessIdentity;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.pipeline.InvalidPipelineException;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.pipeline.TransitionKind;
import dev.baton.stage.tracing.TransitionTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The transition protocol (docs/adr/0007-transition-fast-path.md). Each numbered step that
 * writes is ONE statement ({@link TransitionRepository}), so one round trip and one commit:
 *
 * <ol>
 *   <li>scope: outside the lease's scope (or with the kill switch off) the pre-lease path runs,
 *       unchanged: check, effects, unconditional stage write;</li>
 *   <li>enter: {@code already}/{@code conflict} from the committed stage; no registration (or
 *       its row gone: register again) → 503; a live owner's lease →
 *       {@code deferred}; a dead owner's → reclaim it and re-drive ITS transition first
 *       ({@link LeaseReclaimService}); a gated actor's advance → evaluate the gates (read only)
 *       and enter again. Then, under the task row lock and re-checked there:
 *       <ul>
 *         <li>no effects: the stage CAS, history, outbox and participants' rows, committed with
 *             this statement — the whole transition is one commit, and no lease row is written;</li>
 *         <li>effects: the lease (fencing token) and the first effect's ledger row
 *             {@code started}, committed;</li>
 *       </ul></li>
 *   <li>effects, in order, through the ledger; then the commit statement: the last effect's
 *       {@code done}, the fenced lease release, the stage CAS and the rows it writes
 *       ({@link TransitionCommitService}).</li>
 * </ol>
 * An effectful transition with one effect therefore costs two commits plus the effect.
 *
 * <p>Traced ({@link TransitionTracing}): one {@code baton.transition} span per request, under the
 * caller's context (an inbound event's consumer span, handed over in the Mutiny context as
 * {@link #TRACE_PARENT}, or the HTTP request's span), with a child per enter, effect and commit.
 */
@ApplicationScoped
public class TransitionService {

    /**
     * The Mutiny context key under which a caller that subscribes off its own trace (the inbound
     * consumer) hands over the {@link Context} the transition's span is a child of.
     */
    public static final String TRACE_PARENT = "baton.trace-parent";
    /** Enter attempts when the lease changes under us (released or reclaimed by another). */
    private static final int MAX_ENTER_ATTEMPTS = 3;
    /** Automated actors. A Gitea webhook reports what a person already did (a merge), so it is not gated. */
    static final Set<Actor> GATED_ACTORS = Set.of(Actor.MONITOR, Actor.REAPER, Actor.DEPLOY_FINALIZER);

    private final Pool pool;
    private final PipelineDefinition pipeline;
    private final TransitionRepository steps;
    private final LeaseRepository leases;
    private final EffectLedger ledger;
    private final Liveness liveness;
    private final LeaseScope scope;
    private final OutboxRelay relay;
    private final GateEvaluator gates;
    private final CommitParticipants participants;
    private final TransitionCommitService commits;
    private final LeaseReclaimService reclaims;
    private final StageMetrics metrics;
    private final InFlight inFlight;
    private final TransitionTracing tracing;

    public TransitionService(Pool pool, PipelineDefinition pipeline, TransitionRepository steps, LeaseRepository leases,
                             EffectLedger ledger,
                             Liveness liveness, LeaseScope scope, OutboxRelay relay, GateEvaluator gates,
                             CommitParticipants participants, TransitionCommitService commits,
                             LeaseReclaimService reclaims, StageMetrics metrics, InFlight inFlight,
                             TransitionTracing tracing) {
        this.pool = pool;
        this.pipeline = pipeline;
        this.steps = steps;
        this.leases = leases;
        this.ledger = ledger;
        this.liveness = liveness;
        this.scope = scope;
        this.relay = relay;
        this.gates = gates;
        this.participants = participants;
        this.commits = commits;
        this.reclaims = reclaims;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.tracing = tracing;
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

    /** A transition, counted in flight until it ends; refused with 503 once shutdown began ({@link InFlight}). */
    public Uni<TransitionResult> transition(TransitionRequest request) {
        return inFlight.admit(() -> transitionWithin(request));
    }

    /**
     * A transition for a caller that was admitted by {@link InFlight} itself, whose own step before
     * it must not be left without it (a job's finalisation: its claim, then its transition).
     */
    public Uni<TransitionResult> transitionWithin(TransitionRequest request) {
        Transition transition = allowed(request);
        return Uni.createFrom().context(subscriber -> {
            Context parent = subscriber.getOrElse(TRACE_PARENT, Context::current);
            Span span = tracing.transition(request, parent);
            TransitionRepository.Change change = participants.change(transition, request.actor().key(),
                    request.reason(), request.requestId(), parent.with(span));
            return attempt(request, change, !gated(transition, request.actor()), null, 1)
                    .invoke(result -> metrics.transition(result.outcome()))
                    .onItemOrFailure().invoke((result, failure) -> TransitionTracing.ended(span,
                            result == null ? null : result.outcome().key(), failure))
                    .onCancellation().invoke(span::end);
        });
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

    /**
     * Gates guard advances asked for by automated actors. A person's decision (Plane, an
     * operator, the reconciler mirroring Plane) and rollbacks or cancels are not gated.
     */
    private static boolean gated(Transition transition, Actor actor) {
        return transition.kind() == TransitionKind.ADVANCE && GATED_ACTORS.contains(actor);
    }

    /**
     * One enter statement and what follows from its answer.
     *
     * @param gatesPassed the gates were evaluated and allow the advance (or the transition is not gated)
     * @param facts       what they checked, for the effects
     */
    private Uni<TransitionResult> attempt(TransitionRequest request, TransitionRepository.Change change,
                                          boolean gatesPassed, TaskFacts facts, int attempt) {
        Transition transition = change.transition();
        ProcessIdentity me = liveness.current().orElse(null);
        List<String> effects = transition.effects();
        return tracing.step("baton.transition.enter", request.taskId(), null, change.trace(),
                        trace -> steps.enter(pool, request.taskId(), change.tracedBy(trace), me, scope.guardedRepos(),
                                gatesPassed, !effects.isEmpty(), effects.isEmpty() ? null : effects.get(0)),
                        TransitionRepository.Step::outcome)
                // Our row vanished between the statement's check and its lease insert.
                .onFailure(LeaseRepository::ownerUnregistered).transform(failure -> leases.registrationLost(me))
                .flatMap(step -> switch (step.outcome()) {
                    case "not-found" -> throw ProblemException.notFound("no task " + request.taskId());
                    case "unguarded" -> driveUnguarded(step.task(), request, change);
                    case "already" -> answer(Outcome.ALREADY, step.task(), request, null);
                    case "conflict" -> answer(Outcome.CONFLICT, step.task(), request, "the task is at '"
                            + step.task().stage() + "', neither '" + request.from() + "' nor '" + request.to() + "'");
                    case "unregistered" -> throw me == null ? new ProblemException(503, "Service Unavailable",
                            "this instance lost its liveness registration; it enters no transition until "
                                    + "registered again")
                            : leases.registrationLost(me);
                    case "deferred" -> Uni.createFrom().item(new TransitionResult(Outcome.DEFERRED,
                            request.taskId(), request.from(), request.to(), null, null, null,
                            TransitionResult.Owner.of(step.lease()), "a live owner holds the transition lease",
                            null));
                    case "stale" -> reclaims.reclaimAndRedrive(step.lease(), request.actor().key(), me, change.trace())
                            .flatMap(redriven -> redriven.isPresent() && sameTransition(step, transition)
                                    ? Uni.createFrom().item(redriven.get())
                                    : retry(request, change, gatesPassed, facts, attempt));
                    case "gates" -> gates.evaluate(pool, request.taskId(), step.task().stage())
                            .flatMap(evaluation -> evaluation.report().advance()
                                    ? attempt(request, change, true, evaluation.facts(), attempt)
                                    : Uni.createFrom().item(new TransitionResult(Outcome.GATES_FAILED,
                                            step.task().id(), request.from(), request.to(), step.task().stage(),
                                            step.task().version(), null, null, "the quality gates of '"
                                            + step.task().stage() + "' say " + evaluation.report().verdictKey(),
                                            evaluation.report())));
                    case "advanced" -> {
                        relay.wake();
                        yield Uni.createFrom().item(new TransitionResult(Outcome.ADVANCED, request.taskId(),
                                request.from(), request.to(), transition.to(), step.task().version(), step.token(),
                                null, null, null));
                    }
                    case "entered" -> commits.drive(new HeldLease(step.task(), change, step.token(), false, facts,
                            true, step.effectStatus(), step.effectToken()));
                    case "retry" -> retry(request, change, gatesPassed, facts, attempt);
                    default -> throw new IllegalStateException("enter answered " + step.outcome());
                });
    }

    private static boolean sameTransition(TransitionRepository.Step step, Transition transition) {
        return step.lease().from().equals(transition.from()) && step.lease().to().equals(transition.to());
    }

    private Uni<TransitionResult> retry(TransitionRequest request, TransitionRepository.Change change,
                                        boolean gatesPassed, TaskFacts facts, int attempt) {
        return attempt < MAX_ENTER_ATTEMPTS ? attempt(request, change, gatesPassed, facts, attempt + 1)
                : Uni.createFrom().item(TransitionResult.of(Outcome.DEFERRED, request, null,
                        "the lease kept changing hands; try again"));
    }

    private static Uni<TransitionResult> answer(Outcome outcome, Task task, TransitionRequest request, String detail) {
        return Uni.createFrom().item(new TransitionResult(outcome, task.id(), request.from(), request.to(),
                task.stage(), task.version(), null, null, detail, null));
    }

    /** The pre-lease path, kept exactly: check (done by the enter statement), run the effects, unconditional write. */
    private Uni<TransitionResult> driveUnguarded(Task task, TransitionRequest request,
                                                 TransitionRepository.Change change) {
        if (task.stage().equals(request.to())) {
            return answer(Outcome.ALREADY, task, request, null);
        }
        if (!task.stage().equals(request.from())) {
            return answer(Outcome.CONFLICT, task, request, "the task is at '" + task.stage() + "', neither '"
                    + request.from() + "' nor '" + request.to() + "'");
        }
        Transition transition = change.transition();
        return unguardedEffects(task, change, 0).flatMap(failed -> failed != null
                        ? Uni.createFrom().item(TransitionResult.of(Outcome.EFFECT_FAILED, request, task.stage(),
                                failed))
                        : tracing.step("baton.transition.commit", task.id(), null, change.trace(),
                                trace -> steps.unguarded(pool, task.id(), change.tracedBy(trace)),
                                TransitionRepository.Step::outcome).map(step -> new TransitionResult(
                                Outcome.ADVANCED, task.id(), request.from(), request.to(), transition.to(),
                                step.task().version(), null, null,
                                "unguarded: the transition lease does not cover this repo", null)))
                .invoke(result -> relay.wake());
    }

    /** The effects run directly, in order; the first that is not done stops the chain (its detail; null if all are). */
    private Uni<String> unguardedEffects(Task task, TransitionRepository.Change change, int index) {
        Transition transition = change.transition();
        if (index == transition.effects().size()) {
            return Uni.createFrom().nullItem();
        }
        String effect = transition.effects().get(index);
        return tracing.step("baton.effect", task.id(), effect, change.trace(),
                        trace -> ledger.runUnguarded(new EffectContext(task.id(), task.repo(), task.version(), 0,
                                transition.from(), transition.to(), effect, null, trace)),
                        step -> step.name().toLowerCase())
                .flatMap(step -> step == EffectLedger.Step.DONE ? unguardedEffects(task, change, index + 1)
                        : Uni.createFrom().item("effect " + effect + ": " + step.name().toLowerCase()));
    }
}
