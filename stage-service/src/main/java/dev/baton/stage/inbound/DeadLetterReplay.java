package dev.baton.stage.inbound;

import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * An operator's replay of a dead-lettered inbound event, after fixing what stopped it (a missing
 * work item, a Plane state with no stage):
 *
 * <ol>
 *   <li>in one transaction, the dead event becomes deferred with its attempts reset, and an
 *       {@code InboundReplayed} alert goes to the outbox;</li>
 *   <li>it is then applied at once through the same path as a first delivery
 *       ({@link InboundProcessor#process}): applied, ignored, deferred again, or — after the
 *       configured attempts — dead again, with a new reason;</li>
 *   <li>an id that is not dead changes nothing (404).</li>
 * </ol>
 */
@ApplicationScoped
public class DeadLetterReplay {

    private static final Logger LOG = Logger.getLogger(DeadLetterReplay.class);

    /** Where the replayed event stands after its first new attempt. */
    public record Replayed(String eventId, String workItem, String eventType, String status, String outcome) {
    }

    private final Pool pool;
    private final InboundRepository inbound;
    private final InboundProcessor processor;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;

    public DeadLetterReplay(Pool pool, InboundRepository inbound, InboundProcessor processor, OutboxRepository outbox,
                            OutboxRelay relay) {
        this.pool = pool;
        this.inbound = inbound;
        this.processor = processor;
        this.outbox = outbox;
        this.relay = relay;
    }

    public Uni<Replayed> replay(String eventId, String reason) {
        String why = reason == null || reason.isBlank() ? "replayed by an operator" : reason.strip();
        if (why.length() > 500) {
            throw ProblemException.badRequest("the reason is longer than 500 characters");
        }
        return pool.withTransaction(connection -> inbound.revive(connection, eventId, "replayed: " + why)
                        .flatMap(revived -> {
                            if (revived.isEmpty()) {
                                return Uni.createFrom().failure(ProblemException.notFound(
                                        "no dead-lettered inbound event " + eventId));
                            }
                            var event = revived.get();
                            return outbox.alert(connection, event.aggregateId(), "InboundReplayed", new JsonObject()
                                            .put("eventId", eventId).put("eventType", event.eventType())
                                            .put("by", Actor.OPERATOR.key()).put("reason", why))
                                    .replaceWith(event);
                        }))
                .invoke(event -> {
                    LOG.infof("operator replays inbound %s %s for %s", event.eventType(), eventId,
                            event.aggregateId());
                    relay.wake();
                })
                .flatMap(event -> processor.process(event)
                        .flatMap(v -> inbound.status(eventId))
                        .map(status -> new Replayed(eventId, event.aggregateId(), event.eventType(),
                                status.map(InboundRepository.EventStatus::status).orElse("unknown"),
                                status.map(InboundRepository.EventStatus::outcome).orElse(null))));
    }
}
