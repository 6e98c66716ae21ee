package dev.baton.stage.recovery;

import dev.baton.stage.Actor;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.metrics.StageMetrics;
import dev.baton.stage.task.TaskRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * An operator's force-release: deletes the lease in one transaction with a {@code lease-released}
 * history row and a {@code LeaseReclaimed{forced}} alert. Its owner's fenced commit then changes
 * nothing, and the next enter gets a higher token.
 */
@ApplicationScoped
public class ForceReleaseService {

    private static final Logger LOG = Logger.getLogger(ForceReleaseService.class);

    private final Pool pool;
    private final TaskRepository tasks;
    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;
    private final StageMetrics metrics;

    public ForceReleaseService(Pool pool, TaskRepository tasks, LeaseRepository leases, OutboxRepository outbox,
                               OutboxRelay relay, StageMetrics metrics) {
        this.pool = pool;
        this.tasks = tasks;
        this.leases = leases;
        this.outbox = outbox;
        this.relay = relay;
        this.metrics = metrics;
    }

    /** @return the released lease, or empty if there was none */
    public Uni<Optional<LeaseRepository.Released>> forceRelease(String taskId, String reason) {
        return pool.withTransaction(connection -> tasks.find(connection, taskId).flatMap(task -> {
            if (task.isEmpty()) {
                return Uni.createFrom().item(Optional.<LeaseRepository.Released>empty());
            }
            return leases.forceRelease(connection, taskId).flatMap(released -> {
                if (released.isEmpty()) {
                    return Uni.createFrom().item(released);
                }
                LeaseRepository.Released lease = released.get();
                metrics.leaseForceReleased();
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
}
