package dev.baton.stage.inbound;

import dev.baton.events.EventEnvelope;
import dev.baton.events.InboundEventType;
import dev.baton.stage.Actor;
import dev.baton.stage.Task;
import dev.baton.stage.config.InboundConfig;
import dev.baton.stage.config.SelfConfig;
import dev.baton.stage.gate.FactsRepository;
import dev.baton.stage.pipeline.InboundFact;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.task.TaskRepository;
import dev.baton.stage.task.TaskService;
import dev.baton.stage.transition.Outcome;
import dev.baton.stage.transition.TransitionRequest;
import dev.baton.stage.transition.TransitionService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies one normalised webhook event. Stage changes go through {@link TransitionService}
 * like every other actor's — never a bare stage write — so a concurrent transition makes an
 * inbound one lose cleanly, and a live lease defers it. Where an event moves a task comes from the
 * pipeline definition only: a stage's {@code on} (pull request facts), its Plane state name, its
 * {@code recordsApproval}, and {@code cancelTo} (a work item deleted or cancelled in Plane).
 */
@ApplicationScoped
public class InboundApplier {

    /** How an event ended; {@code DEFERRED} and {@code UNKNOWN} are tried again later. */
    public enum Status { APPLIED, IGNORED, DEFERRED, UNKNOWN }

    /** Plane's state group for cancelled work items (Plane's own vocabulary, whatever the pipeline). */
    static final String PLANE_CANCELLED_GROUP = "cancelled";

    /** The outcome, with the reason in words. */
    public record Result(Status status, String detail) {
    }

    static final Set<Outcome> RETRY = Set.of(Outcome.DEFERRED, Outcome.EFFECT_FAILED);

    private final Pool pool;
    private final TaskRepository tasks;
    private final TaskService taskService;
    private final FactsRepository facts;
    private final TransitionService transitions;
    private final PipelineDefinition pipeline;
    private final String defaultRepo;

    public InboundApplier(Pool pool, TaskRepository tasks, TaskService taskService, FactsRepository facts,
                          TransitionService transitions, PipelineDefinition pipeline, InboundConfig config,
                          SelfConfig self) {
        this.pool = pool;
        this.tasks = tasks;
        this.taskService = taskService;
        this.facts = facts;
        this.transitions = transitions;
        this.pipeline = pipeline;
        this.defaultRepo = config.defaultRepo().orElse(self.repo());
    }

    public Uni<Result> apply(EventEnvelope event) {
        Map<String, Object> p = event.payload();
        return switch (event.eventType()) {
            case InboundEventType.PLANE_WORK_ITEM_CREATED -> create(event, p);
            case InboundEventType.PLANE_STATE_CHANGED -> withTask(event, p, task -> planeState(task, p));
            case InboundEventType.PLANE_WORK_ITEM_DELETED -> withTask(event, p, task -> move(task,
                    pipeline.cancelTo().orElse(null), Actor.PLANE_WEBHOOK, "work item deleted in Plane"));
            case InboundEventType.GITEA_PR_OPENED, InboundEventType.GITEA_PR_REOPENED,
                 InboundEventType.GITEA_PR_SYNCHRONIZED -> withTask(event, p, task -> recordPr(task, p)
                    .flatMap(v -> then(task, event, "PR head " + p.get("headSha") + " recorded")));
            case InboundEventType.GITEA_PR_CLOSED -> withTask(event, p, task -> pool.withTransaction(c ->
                            facts.recordClosed(c, task.id(), number(p)))
                    .flatMap(v -> then(task, event, "PR closed")));
            case InboundEventType.GITEA_PR_MERGED -> withTask(event, p, task -> recordPr(task, p)
                    .call(() -> pool.withTransaction(c -> facts.recordMerged(c, task.id(), text(p, "mergeCommitSha"))))
                    .flatMap(v -> then(task, event, "merge recorded at " + task.stage())));
            case InboundEventType.GITEA_STATUS_REPORTED -> status(p);
            case InboundEventType.GITEA_WORKFLOW_RUN_COMPLETED -> pool.withTransaction(c -> facts.recordWorkflowRun(c,
                            text(p, "repo"), ((Number) p.getOrDefault("runId", 0)).longValue(), text(p, "name"),
                            text(p, "conclusion"), text(p, "headSha"), event.aggregateId()))
                    .replaceWith(new Result(Status.APPLIED, "workflow run recorded"));
            default -> Uni.createFrom().item(new Result(Status.IGNORED, "not used: " + event.eventType()));
        };
    }

    private Uni<Result> create(EventEnvelope event, Map<String, Object> p) {
        String id = Optional.ofNullable(text(p, "workItemKey")).orElse(event.aggregateId());
        String title = Optional.ofNullable(text(p, "name")).orElse(id);
        return taskService.create(id, defaultRepo, title, pipeline.initial().key(), text(p, "projectId"),
                        text(p, "workItemId"), Actor.PLANE_WEBHOOK)
                .map(created -> created.isPresent() ? new Result(Status.APPLIED, "task created")
                        : new Result(Status.IGNORED, "task exists"));
    }

    /** The fact is recorded; the task moves on only where its stage's {@code on} names the fact. */
    private Uni<Result> then(Task task, EventEnvelope event, String recorded) {
        Optional<InboundFact> fact = InboundFact.ofEventType(event.eventType());
        Optional<String> target = fact.flatMap(f -> pipeline.on(task.stage(), f));
        return target.isEmpty() ? Uni.createFrom().item(new Result(Status.APPLIED, recorded))
                : move(task, target.get(), Actor.GITEA_WEBHOOK, fact.get().key() + " at " + task.stage());
    }

    private Uni<Result> planeState(Task task, Map<String, Object> p) {
        String target = PLANE_CANCELLED_GROUP.equalsIgnoreCase(text(p, "stateGroup"))
                ? pipeline.cancelTo().orElse(null)
                : stageFor(task, text(p, "stateName"));
        if (target == null) {
            return Uni.createFrom().item(new Result(Status.IGNORED, "unmapped Plane state " + text(p, "stateName")));
        }
        Uni<Void> approval = pipeline.stage(task.stage()).map(s -> s.recordsApproval()).orElse(false)
                && pipeline.position(target) > pipeline.position(task.stage())
                ? pool.withTransaction(c -> facts.recordApproval(c, task.id(),
                        Optional.ofNullable(text(p, "actorName")).orElse("plane")))
                : Uni.createFrom().voidItem();
        return approval.flatMap(v -> move(task, target, Actor.PLANE_WEBHOOK, "Plane state " + text(p, "stateName")));
    }

    /** Asks for {@code task.stage -> target} through the protocol; no transition in the pipeline → ignored. */
    private Uni<Result> move(Task task, String target, Actor actor, String reason) {
        if (target == null || target.equals(task.stage())) {
            return Uni.createFrom().item(new Result(Status.IGNORED, "already at " + task.stage()));
        }
        if (pipeline.transition(task.stage(), target).isEmpty()) {
            return Uni.createFrom().item(new Result(Status.IGNORED, "no transition " + task.stage() + " -> " + target));
        }
        return transitions.transition(new TransitionRequest(task.id(), task.stage(), target, actor, reason, null))
                .map(result -> {
                    if (result.outcome() == Outcome.ADVANCED || result.outcome() == Outcome.ALREADY) {
                        return new Result(Status.APPLIED, result.outcome().key() + " " + task.stage() + " -> " + target);
                    }
                    return new Result(RETRY.contains(result.outcome()) ? Status.DEFERRED : Status.IGNORED,
                            result.outcome().key() + (result.detail() == null ? "" : ": " + result.detail()));
                });
    }

    private Uni<Void> recordPr(Task task, Map<String, Object> p) {
        return pool.withTransaction(c -> facts.recordPullRequest(c, task.id(), number(p), text(p, "prUrl"),
                text(p, "headSha")));
    }

    private Uni<Result> status(Map<String, Object> p) {
        String state = text(p, "state");
        if (!Set.of("pending", "success", "failure", "error", "warning").contains(state)) {
            return Uni.createFrom().item(new Result(Status.IGNORED, "unknown status state " + state));
        }
        return pool.withTransaction(c -> facts.recordStatus(c, text(p, "repo"), text(p, "sha"), text(p, "context"),
                state)).replaceWith(new Result(Status.APPLIED, "status recorded"));
    }

    private Uni<Result> withTask(EventEnvelope event, Map<String, Object> p,
                                 java.util.function.Function<Task, Uni<Result>> then) {
        return pool.withConnection(c -> tasks.find(c, event.aggregateId()).flatMap(found -> {
            String planeIssue = text(p, "workItemId");
            return found.isPresent() || planeIssue == null ? Uni.createFrom().item(found)
                    : tasks.findByPlaneIssue(c, planeIssue);
        })).flatMap(found -> found.isEmpty()
                ? Uni.createFrom().item(new Result(Status.UNKNOWN, "no task " + event.aggregateId()))
                : then.apply(found.get()));
    }

    /**
     * The stage a Plane state name shows ({@link PipelineDefinition#stagesNamedInPlane}); of several
     * stages sharing the state, the one the pipeline allows from the task's stage, if exactly one.
     */
    String stageFor(Task task, String stateName) {
        List<String> shown = pipeline.stagesNamedInPlane(stateName);
        if (shown.size() <= 1 || shown.contains(task.stage())) {
            return shown.contains(task.stage()) ? task.stage() : shown.stream().findFirst().orElse(null);
        }
        List<String> reachable = shown.stream().filter(s -> pipeline.transition(task.stage(), s).isPresent()).toList();
        return reachable.size() == 1 ? reachable.get(0) : null;
    }

    private static String text(Map<String, Object> p, String key) {
        Object value = p.get(key);
        return value == null ? null : value.toString();
    }

    private static int number(Map<String, Object> p) {
        return ((Number) p.getOrDefault("prNumber", 0)).intValue();
    }
}
