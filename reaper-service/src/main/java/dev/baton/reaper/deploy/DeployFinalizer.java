package dev.baton.reaper.deploy;

import dev.baton.common.tracing.WorkItemMdc;
import dev.baton.reaper.client.DeployRun;
import dev.baton.reaper.client.DeployStatusClient;
import dev.baton.reaper.client.GiteaClient;
import dev.baton.reaper.client.QueueSnapshot;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.client.SweepTurn;
import dev.baton.reaper.client.TaskView;
import dev.baton.reaper.client.TransitionAnswer;
import dev.baton.reaper.config.FinalizerConfig;
import dev.baton.reaper.config.ReplicaName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * The deploy finalizer: follows the production deploy of every task in the deploy stage — the stage
 * the pipeline enters through the transition carrying the deploy effect ({@code prod_deploy}), or
 * {@code BATON_FINALIZER_STAGE}.
 *
 * <ol>
 *   <li>Take this interval's sweep turn ({@code POST /sweeps/deploy-finalizer/claim}).</li>
 *   <li>{@code GET /pipeline} (cached): the deploy stage. A pipeline without the effect → nothing to follow.</li>
 *   <li>{@code GET /queue}: the tasks with an open job of the deploy stage, and the leases.
 *       A live lease on the task → defer to the next sweep.</li>
 *   <li>{@code GET /tasks/{id}}: still in the deploy stage? The ledger's {@code done} entry of
 *       {@code prod_deploy} gives the run's idempotency key {@code <task>:<token>:prod_deploy}.</li>
 *   <li>Find the run by that key in Gitea, or ask the configured status URL
 *       ({@code BATON_FINALIZER_STATUS_URL}) about it. Running or not visible → wait. Success → record
 *       {@code production/success}, ask the pipeline's advance out of the deploy stage. Failure → record
 *       {@code production/failure}, ask its rollback.</li>
 * </ol>
 * The request id is derived from the run's key, so a second replica or a repeat asks the same
 * transition and stage-service answers {@code already}.
 */
@ApplicationScoped
public class DeployFinalizer {

    public static final String SWEEP = "deploy-finalizer";
    public static final String ACTOR = "deploy-finalizer";

    private static final Logger LOG = Logger.getLogger(DeployFinalizer.class);

    private final StageServiceClient stage;
    private final GiteaClient gitea;
    private final DeployStatusClient statusUrl;
    private final FinalizerConfig config;
    private final String holder;

    @Inject
    public DeployFinalizer(StageServiceClient stage, GiteaClient gitea, DeployStatusClient statusUrl,
                           FinalizerConfig config, ReplicaName replica) {
        this(stage, gitea, statusUrl, config, replica.name());
    }

    public DeployFinalizer(StageServiceClient stage, GiteaClient gitea, DeployStatusClient statusUrl,
                           FinalizerConfig config, String holder) {
        this.stage = stage;
        this.gitea = gitea;
        this.statusUrl = statusUrl;
        this.config = config;
        this.holder = holder;
    }

    /** One sweep; never fails. */
    public Uni<List<DeployDecision>> sweep() {
        return stage.sweepTurn(SWEEP, holder, config.interval().toMillis() / 1000.0).flatMap(turn -> {
            if (turn == SweepTurn.TAKEN || turn == SweepTurn.UNANSWERED) {
                return Uni.createFrom().item(List.<DeployDecision>of());
            }
            return deployStage().flatMap(deploy -> deploy.isEmpty() ? Uni.createFrom().item(List.<DeployDecision>of())
                    : stage.queue().flatMap(queue -> queue.isEmpty() ? Uni.createFrom().item(List.<DeployDecision>of())
                    : Multi.createFrom().iterable(queue.get().tasksIn(deploy.get()))
                    .onItem().transformToUniAndConcatenate(taskId -> follow(queue.get(), deploy.get(), taskId)
                            .onFailure().recoverWithItem(e -> new DeployDecision(taskId, DeployDecision.Action.RETRY,
                                    "failed: " + e.getClass().getSimpleName()))
                            .invoke(this::log))
                    .collect().asList()));
        }).onFailure().recoverWithItem(e -> {
            LOG.errorf(e, "deploy finalizer %s: sweep failed", holder);
            return List.of();
        });
    }

    /** The configured stage, else the one the pipeline's deploy effect enters; empty = nothing to follow. */
    private Uni<Optional<String>> deployStage() {
        if (config.stage().isPresent()) {
            return Uni.createFrom().item(config.stage());
        }
        return stage.pipeline().map(pipeline -> {
            Optional<String> deploy = pipeline.flatMap(p -> p.enteredBy(config.effect()));
            if (deploy.isEmpty()) {
                LOG.debugf("deploy finalizer %s: no transition carries %s (or the pipeline is unreadable)", holder,
                        config.effect());
            }
            return deploy;
        });
    }

    private Uni<DeployDecision> follow(QueueSnapshot queue, String deploy, String taskId) {
        Optional<QueueSnapshot.LeaseView> live = queue.liveLease(taskId);
        if (live.isPresent()) {
            return Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.DEFERRED, "live lease owner "
                    + live.get().ownerActor() + "/" + live.get().ownerInstance() + " (" + live.get().from() + " -> "
                    + live.get().to() + ")"));
        }
        return stage.task(taskId).flatMap(view -> {
            if (view.isEmpty()) {
                return Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.RETRY, "task unreadable"));
            }
            TaskView.Task task = view.get().task();
            if (!deploy.equals(task.stage())) {
                return Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.SKIPPED,
                        "task already at " + task.stage()));
            }
            Optional<TaskView.Effect> started = view.get().lastDone(config.effect());
            if (started.isEmpty()) {
                return Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.SKIPPED,
                        "no " + config.effect() + " recorded done"));
            }
            String key = taskId + ":" + started.get().token() + ":" + config.effect();
            Uni<DeployRun> run = statusUrl.template().map(url -> statusUrl.status(url, taskId, key))
                    .orElseGet(() -> gitea.run(task.repo(), key));
            return run.flatMap(r -> decide(deploy, taskId, key, r));
        });
    }

    private Uni<DeployDecision> decide(String deploy, String taskId, String key, DeployRun run) {
        return switch (run.state()) {
            case PENDING, NOT_FOUND -> Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.WAITING,
                    "run for " + key + ": " + run.detail()));
            case UNKNOWN -> Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.RETRY,
                    run.detail()));
            case SUCCESS -> finish(deploy, taskId, key, run, "success", DeployDecision.Action.FINISHED);
            case FAILURE -> finish(deploy, taskId, key, run, "failure", DeployDecision.Action.ROLLED_BACK);
        };
    }

    private Uni<DeployDecision> finish(String from, String taskId, String key, DeployRun run, String state,
                                       DeployDecision.Action action) {
        return stage.pipeline().flatMap(pipeline -> {
            Optional<String> to = action == DeployDecision.Action.FINISHED
                    ? pipeline.flatMap(p -> p.advanceOf(from)) : pipeline.flatMap(p -> p.rollbackOf(from));
            if (to.isEmpty()) {
                return Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.RETRY,
                        "pipeline unreadable or has no " + (action == DeployDecision.Action.FINISHED ? "advance"
                                : "rollback") + " from " + from));
            }
            String reason = (run.runId() > 0 ? "deploy run " + run.runId() : "the deploy run") + " (" + key + ") ended "
                    + run.detail();
            return stage.deployStatus(taskId, "production", state).flatMap(recorded -> !recorded
                    ? Uni.createFrom().item(new DeployDecision(taskId, DeployDecision.Action.RETRY,
                            "deploy status not recorded"))
                    : stage.transition(taskId, from, to.get(), ACTOR, reason, "deploy-finalizer-" + key + "-" + state)
                    .map(answer -> new DeployDecision(taskId, answered(answer, action), reason + "; transition "
                            + from + " -> " + to.get() + ": " + answer.outcome()
                            + (answer.detail() == null ? "" : " (" + answer.detail() + ")"))));
        });
    }

    private static DeployDecision.Action answered(TransitionAnswer answer, DeployDecision.Action asked) {
        if (answer.applied()) {
            return asked;
        }
        return "deferred".equals(answer.outcome()) ? DeployDecision.Action.DEFERRED : DeployDecision.Action.RETRY;
    }

    /** Under the task's work item in the MDC, as every service's lines about one item are. */
    private void log(DeployDecision d) {
        WorkItemMdc.around(d.taskId(), () -> LOG.infof("deploy finalizer %s: task %s %s: %s", holder, d.taskId(),
                d.action(), d.detail()));
    }
}
