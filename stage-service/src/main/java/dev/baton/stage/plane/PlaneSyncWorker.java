package dev.baton.stage.plane;

import dev.baton.stage.config.PlaneConfig;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.pipeline.PipelineDefinition;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * Mirrors committed transitions into Plane, without ever holding a transition back.
 *
 * <ol>
 *   <li>the commit statement writes a {@code plane_sync} row (only for tasks with Plane ids,
 *       and only when an API key is configured: {@link PlaneSyncParticipant});</li>
 *   <li>this worker claims due rows in commit order (so replicas never send the same one), each
 *       request granted first by the cluster-wide {@link PlaneBudget} under Plane's 60 a minute;</li>
 *   <li>PATCH the work item's state (if the stage is mapped), then add one comment whose
 *       {@code external_id} is work item + lease token: a repeat answers 409, which is done;</li>
 *   <li>429, 5xx and timeouts back off and retry, never sooner than Plane's {@code Retry-After};
 *       past the attempts, the sync is given up with a {@code PlaneSyncFailed} alert.</li>
 * </ol>
 */
@ApplicationScoped
public class PlaneSyncWorker {

    private static final Logger LOG = Logger.getLogger(PlaneSyncWorker.class);

    private final Pool pool;
    private final PlaneSyncRepository syncs;
    private final PlaneClient plane;
    private final PlaneConfig config;
    private final PipelineDefinition pipeline;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;
    private final PlaneBudget budget;
    private final Map<String, String> states;

    public PlaneSyncWorker(Pool pool, PlaneSyncRepository syncs, PlaneClient plane, PlaneConfig config,
                           PipelineDefinition pipeline, OutboxRepository outbox, OutboxRelay relay,
                           PlaneBudget budget) {
        this.pool = pool;
        this.syncs = syncs;
        this.plane = plane;
        this.config = config;
        this.pipeline = pipeline;
        this.outbox = outbox;
        this.relay = relay;
        this.budget = budget;
        this.states = pipeline.planeStateIds();
    }

    /** True when transitions should leave a sync behind. */
    public boolean enabled() {
        return config.apiKey().filter(k -> !k.isBlank()).isPresent();
    }

    /** Every {@code baton.plane.poll}, first one poll after start; nothing without an API key. */
    @Scheduled(identity = "plane-sync", every = "${baton.plane.poll:1s}", delayed = "${baton.plane.poll:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> pass() {
        if (!enabled()) {
            return Uni.createFrom().voidItem();
        }
        return drainNow().replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("plane sync pass failed, the next one will retry: %s", failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /** Long enough for a batch of syncs with Plane's timeouts and retries; a dead claimer's rows wait this long. */
    static final long CLAIM_SECONDS = 120;
    static final int BATCH = 20;

    /** @return how many syncs were completed in this pass */
    public Uni<Integer> drainNow() {
        return pool.withTransaction(c -> syncs.claimDue(c, BATCH, CLAIM_SECONDS)).flatMap(due -> sync(due, 0, 0));
    }

    private Uni<Integer> sync(List<PlaneSyncRepository.Sync> due, int index, int done) {
        if (index == due.size()) {
            return Uni.createFrom().item(done);
        }
        PlaneSyncRepository.Sync sync = due.get(index);
        String state = states.get(sync.to());
        boolean needsPatch = state != null;
        return budget.tryAcquire(needsPatch ? 2 : 1).flatMap(granted -> granted ? send(sync, state)
                        .flatMap(n -> sync(due, index + 1, done + n))
                // No room in the minute: the rest of the batch goes back, due again for the next pass.
                : Uni.join().all(due.subList(index, due.size()).stream()
                        .map(s -> pool.withConnection(c -> syncs.unclaim(c, s.id()))).toList()).andCollectFailures()
                        .replaceWith(done));
    }

    private Uni<Integer> send(PlaneSyncRepository.Sync sync, String state) {
        Uni<PlaneClient.Reply> patched = state != null
                ? plane.setState(sync.planeProject(), sync.planeIssue(), state)
                : Uni.createFrom().item(PlaneClient.Reply.DONE);
        return patched.flatMap(reply -> reply.answer() != PlaneClient.Answer.DONE ? Uni.createFrom().item(reply)
                        : plane.comment(sync.planeProject(), sync.planeIssue(), comment(sync), sync.externalId()))
                .flatMap(reply -> reply.answer() == PlaneClient.Answer.DONE
                        ? pool.withTransaction(c -> syncs.done(c, sync.id())).replaceWith(1)
                        : giveUpOrRetry(sync, reply).replaceWith(0));
    }

    private Uni<Void> giveUpOrRetry(PlaneSyncRepository.Sync sync, PlaneClient.Reply reply) {
        String error = "Plane answered " + reply.answer();
        return pool.withTransaction(c -> syncs.retry(c, sync.id(), error, reply.answer() == PlaneClient.Answer.REFUSED
                        ? sync.attempts() + 1 : config.attempts(), reply.retryAfter())
                .flatMap(failed -> {
                    if (!failed) {
                        return Uni.createFrom().voidItem();
                    }
                    LOG.warnf("gave up syncing %s (%s -> %s) to Plane: %s", sync.taskId(), sync.from(), sync.to(),
                            error);
                    return outbox.alert(c, sync.taskId(), "PlaneSyncFailed", new JsonObject()
                            .put("taskId", sync.taskId()).put("from", sync.from()).put("to", sync.to())
                            .put("detail", error));
                }))
                .invoke(relay::wake);
    }

    private String comment(PlaneSyncRepository.Sync sync) {
        return "<p>Baton: " + escape(label(sync.from())) + " → <b>" + escape(label(sync.to())) + "</b> (by "
                + escape(sync.actor()) + ")</p>";
    }

    private String label(String stage) {
        return pipeline.stage(stage).map(s -> s.label().getOrDefault("en", stage)).orElse(stage);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
