package dev.baton.reaper.reconcile;

import dev.baton.common.tracing.WorkItemMdc;
import dev.baton.events.EventEnvelope;
import dev.baton.reaper.client.ActiveTask;
import dev.baton.reaper.client.Pipeline;
import dev.baton.reaper.client.PlaneClient;
import dev.baton.reaper.client.PlaneRead;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.client.SweepTurn;
import dev.baton.reaper.client.TransitionAnswer;
import dev.baton.reaper.config.ReconcilerConfig;
import dev.baton.reaper.config.ReplicaName;
import dev.baton.reaper.messaging.AlertPublisher;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Plane reconciler: reads the Plane state of active work items and, where Plane and Baton
 * disagree, asks stage-service for the transition to Plane's stage as actor {@code reconciler}.
 * It holds no durable state; what it remembers (cursor, retries, alerted drifts) only saves
 * Plane requests and alerts.
 *
 * <ol>
 *   <li>Take this interval's sweep turn ({@code POST /sweeps/plane-reconciler/claim}): one replica
 *       per interval reads Plane, so replicas never multiply Plane requests.</li>
 *   <li>{@code GET /pipeline} (cached): the stage → Plane state id map the Plane sync writes by.
 *       {@code GET /tasks?active=true}: the tasks outside terminal stages.</li>
 *   <li>Eligible: mirrored in Plane, whose stage Plane can show (mapped), and whose newest Plane
 *       sync is done — a pending or given-up sync means Plane is known to be behind.</li>
 *   <li>Batch: the items to retry first, then round-robin from a cursor, at most
 *       {@link ReconcilerConfig#perSweep()} Plane reads.</li>
 *   <li>Per item, one {@code GET …/work-items/{id}/?expand=state}. Plane's state stands for the
 *       task's stage → agreed. Otherwise the one stage it stands for (or the one of several the
 *       pipeline can reach) → ask {@code stage → that}. A state standing for no stage, an
 *       ambiguous one, a 404, or a transition stage-service refuses (422, gates) → one alert per
 *       (task, stage, Plane state).</li>
 *   <li>{@code deferred} (a live lease) and failures are read again first next sweep; 429 ends
 *       the sweep and pauses the reconciler for Plane's {@code Retry-After}.</li>
 * </ol>
 */
@ApplicationScoped
public class PlaneReconciler {

    public static final String SWEEP = "plane-reconciler";
    public static final String ACTOR = "reconciler";
    public static final String UNMAPPED = "PlaneDriftUnmapped";
    public static final String UNRESOLVED = "PlaneDriftUnresolved";

    private static final Logger LOG = Logger.getLogger(PlaneReconciler.class);

    private final StageServiceClient stage;
    private final PlaneClient plane;
    private final AlertPublisher alerts;
    private final ReconcilerConfig config;
    private final Clock clock;
    private final String holder;
    /** Task → the drift last alerted for it; a repeat of the same drift is not alerted again. */
    private final Map<String, String> alerted = new ConcurrentHashMap<>();
    /** Tasks to read first next sweep (deferred, unanswered, cut off by a 429). */
    private final Set<String> retryFirst = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean saidOff = new AtomicBoolean();
    private volatile String cursor = "";
    private volatile Instant pausedUntil = Instant.MIN;

    @Inject
    public PlaneReconciler(StageServiceClient stage, PlaneClient plane, AlertPublisher alerts,
                           ReconcilerConfig config, Clock clock, ReplicaName replica) {
        this(stage, plane, alerts, config, clock, replica.name());
    }

    /** A reconciler replica named {@code holder} (tests run several in one JVM). */
    public PlaneReconciler(StageServiceClient stage, PlaneClient plane, AlertPublisher alerts,
                           ReconcilerConfig config, Clock clock, String holder) {
        this.stage = stage;
        this.plane = plane;
        this.alerts = alerts;
        this.config = config;
        this.clock = clock;
        this.holder = holder;
    }

    /** One sweep; never fails. An empty list when this replica did not sweep. */
    public Uni<List<Reconciliation>> sweep() {
        if (!plane.configured()) {
            if (!saidOff.getAndSet(true)) {
                LOG.infof("reconciler %s: off, no BATON_PLANE_API_KEY", holder);
            }
            return Uni.createFrom().item(List.of());
        }
        if (clock.instant().isBefore(pausedUntil)) {
            LOG.debugf("reconciler %s: Plane asked to wait until %s", holder, pausedUntil);
            return Uni.createFrom().item(List.of());
        }
        return stage.sweepTurn(SWEEP, holder, config.interval().toMillis() / 1000.0).flatMap(turn -> {
            // Unlike the job reaper, no turn → no sweep, also without a /sweeps route: replicas
            // sweeping side by side would each spend the whole Plane budget.
            if (turn != SweepTurn.GRANTED) {
                LOG.debugf("reconciler %s: no sweep this interval (%s)", holder, turn);
                return Uni.createFrom().item(List.<Reconciliation>of());
            }
            return stage.pipeline().flatMap(pipeline -> {
                if (pipeline.isEmpty() || pipeline.get().planeStates() == null
                        || pipeline.get().planeStates().isEmpty()) {
                    LOG.debugf("reconciler %s: stage-service mirrors no stage to Plane; nothing to compare", holder);
                    return Uni.createFrom().item(List.<Reconciliation>of());
                }
                return stage.activeTasks().flatMap(tasks -> tasks.isEmpty()
                        ? Uni.createFrom().item(List.<Reconciliation>of())
                        : each(pipeline.get(), batch(pipeline.get(), tasks.get()), 0, new ArrayList<>()));
            });
        }).onFailure().recoverWithItem(e -> {
            LOG.errorf(e, "reconciler %s: sweep failed", holder);
            return List.of();
        });
    }

    /** Retries first, then round-robin from the cursor; at most the per-sweep budget. */
    List<ActiveTask> batch(Pipeline pipeline, List<ActiveTask> active) {
        List<ActiveTask> eligible = active.stream()
                .filter(t -> t.inPlane() && !t.planeBehind() && pipeline.planeStateOf(t.stage()).isPresent())
                .sorted(Comparator.comparing(ActiveTask::id)).toList();
        int budget = config.perSweep();
        LinkedHashSet<ActiveTask> batch = new LinkedHashSet<>();
        retryFirst.retainAll(Set.copyOf(eligible.stream().map(ActiveTask::id).toList()));
        for (ActiveTask task : eligible) {
            if (batch.size() < budget && retryFirst.remove(task.id())) {
                batch.add(task);
            }
        }
        int start = 0;
        while (start < eligible.size() && eligible.get(start).id().compareTo(cursor) <= 0) {
            start++;
        }
        for (int i = 0; i < eligible.size() && batch.size() < budget; i++) {
            ActiveTask task = eligible.get((start + i) % eligible.size());
            if (batch.add(task)) {
                cursor = task.id();
            }
        }
        return new ArrayList<>(batch);
    }

    private Uni<List<Reconciliation>> each(Pipeline pipeline, List<ActiveTask> batch, int index,
                                           List<Reconciliation> done) {
        if (index == batch.size()) {
            return Uni.createFrom().item(done);
        }
        ActiveTask task = batch.get(index);
        return reconcile(pipeline, task)
                .onFailure().recoverWithItem(e -> retry(task, "failed: " + e.getClass().getSimpleName()))
                .flatMap(result -> {
                    done.add(result);
                    log(result);
                    if (result.action() == Reconciliation.Action.THROTTLED) {
                        // Every further read now would be refused too and count against the key.
                        batch.subList(index + 1, batch.size()).forEach(t -> retryFirst.add(t.id()));
                        return Uni.createFrom().item(done);
                    }
                    return each(pipeline, batch, index + 1, done);
                });
    }

    private Uni<Reconciliation> reconcile(Pipeline pipeline, ActiveTask task) {
        return plane.workItem(task.planeProject(), task.planeIssue()).flatMap(read -> switch (read.kind()) {
            case THROTTLED -> {
                pausedUntil = clock.instant().plus(read.retryAfter());
                retryFirst.add(task.id());
                yield Uni.createFrom().item(new Reconciliation(task.id(), Reconciliation.Action.THROTTLED,
                        "Plane " + read.detail() + "; pausing until " + pausedUntil));
            }
            case FAILED -> Uni.createFrom().item(retry(task, "Plane: " + read.detail()));
            case GONE -> drift(task, UNRESOLVED, "gone", null, "Plane work item " + task.planeIssue()
                    + " not found (" + read.detail() + ")");
            case FOUND -> compare(pipeline, task, read);
        });
    }

    private Uni<Reconciliation> compare(Pipeline pipeline, ActiveTask task, PlaneRead read) {
        List<String> shown = pipeline.stagesShownAs(read.stateId());
        if (shown.contains(task.stage())) {
            alerted.remove(task.id());
            return Uni.createFrom().item(new Reconciliation(task.id(), Reconciliation.Action.AGREED,
                    "Plane state " + read.stateLabel() + " shows " + task.stage()));
        }
        if (shown.isEmpty()) {
            return drift(task, UNMAPPED, read.stateId(), read, "Plane state " + read.stateLabel()
                    + " maps to no stage (task at " + task.stage() + ")");
        }
        List<String> reachable = shown.stream().filter(s -> pipeline.allows(task.stage(), s)).toList();
        String target = shown.size() == 1 ? shown.get(0) : reachable.size() == 1 ? reachable.get(0) : null;
        if (target == null) {
            return drift(task, UNRESOLVED, read.stateId(), read, "Plane state " + read.stateLabel()
                    + " stands for " + shown + ", and not exactly one is reachable from " + task.stage());
        }
        if ((UNRESOLVED + "|" + task.stage() + "|" + read.stateId()).equals(alerted.get(task.id()))) {
            // Refused before for this very drift: asking again would only be refused again.
            return Uni.createFrom().item(new Reconciliation(task.id(), Reconciliation.Action.UNRESOLVED,
                    "Plane shows " + read.stateLabel() + " (" + target + "), refused before (alerted before)"));
        }
        String reason = "Plane shows " + read.stateLabel() + " (" + target + "), Baton has " + task.stage();
        return stage.transition(task.id(), task.stage(), target, ACTOR, reason,
                        "reconciler-" + task.id() + "-" + task.stage() + "-" + target)
                .flatMap(answer -> answered(task, read, target, answer));
    }

    private Uni<Reconciliation> answered(ActiveTask task, PlaneRead read, String target, TransitionAnswer answer) {
        String asked = "transition " + task.stage() + " -> " + target + ": " + answer.outcome()
                + (answer.detail() == null ? "" : " (" + answer.detail() + ")");
        if (answer.applied()) {
            alerted.remove(task.id());
            return Uni.createFrom().item(new Reconciliation(task.id(), Reconciliation.Action.APPLIED, asked));
        }
        return switch (answer.outcome()) {
            case "deferred" -> {
                retryFirst.add(task.id());
                yield Uni.createFrom().item(new Reconciliation(task.id(), Reconciliation.Action.DEFERRED, asked));
            }
            // The task moved between the listing and the request: the next sweep compares afresh.
            case "lost-race", "conflict", "fenced" -> Uni.createFrom().item(new Reconciliation(task.id(),
                    Reconciliation.Action.MOVED, asked));
            // The pipeline (422) or the gates refuse the move: no later sweep will do better.
            case "rejected", "gates-failed" -> drift(task, UNRESOLVED, read.stateId(), read,
                    "Plane shows " + read.stateLabel() + " (" + target + "), stage-service refused the " + asked);
            default -> Uni.createFrom().item(retry(task, asked));
        };
    }

    /** One alert per (task, stage, Plane state); the event id is derived from it, so replicas' repeats de-duplicate. */
    private Uni<Reconciliation> drift(ActiveTask task, String type, String stateKey, PlaneRead read, String reason) {
        Reconciliation.Action action = UNMAPPED.equals(type) ? Reconciliation.Action.UNMAPPED
                : Reconciliation.Action.UNRESOLVED;
        String drift = type + "|" + task.stage() + "|" + stateKey;
        if (drift.equals(alerted.get(task.id()))) {
            return Uni.createFrom().item(new Reconciliation(task.id(), action, reason + " (alerted before)"));
        }
        String eventId = UUID.nameUUIDFromBytes((task.id() + "|" + drift).getBytes(StandardCharsets.UTF_8)).toString();
        Map<String, Object> payload = new HashMap<>();
        payload.put("taskId", task.id());
        payload.put("stage", task.stage());
        payload.put("planeState", read == null ? null : read.stateLabel());
        payload.put("planeStateId", read == null ? null : read.stateId());
        payload.put("reason", reason);
        EventEnvelope alert = new EventEnvelope(eventId, "task", task.id(), type, clock.instant(), payload);
        return alerts.publish(alert)
                .map(v -> {
                    alerted.put(task.id(), drift);
                    return new Reconciliation(task.id(), action, reason + " (alerted)");
                })
                .onFailure().recoverWithItem(e -> {
                    // Not remembered: the next sweep that sees the drift publishes it again.
                    LOG.warnf("task %s: %s alert not published (%s)", task.id(), type, e.getClass().getSimpleName());
                    return new Reconciliation(task.id(), action, reason + " (alert not published)");
                });
    }

    private Reconciliation retry(ActiveTask task, String detail) {
        retryFirst.add(task.id());
        return new Reconciliation(task.id(), Reconciliation.Action.RETRY, detail);
    }

    /** Under the task's work item in the MDC, as every service's lines about one item are. */
    private void log(Reconciliation r) {
        WorkItemMdc.around(r.taskId(), () -> {
            if (r.action() == Reconciliation.Action.AGREED) {
                LOG.debugf("reconciler %s: task %s %s: %s", holder, r.taskId(), r.action(), r.detail());
            } else if (r.action() == Reconciliation.Action.RETRY || r.action() == Reconciliation.Action.THROTTLED) {
                LOG.warnf("reconciler %s: task %s %s: %s", holder, r.taskId(), r.action(), r.detail());
            } else {
                LOG.infof("reconciler %s: task %s %s: %s", holder, r.taskId(), r.action(), r.detail());
            }
        });
    }
}
