package dev.baton.stage.console;

import dev.baton.events.EventEnvelope;
import dev.baton.common.UntilStored;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.Set;

/**
 * Keeps the reaper's Plane drift alerts from {@code baton.alerts} for the console's Attention page:
 * the reconciler raises them on Kafka only, and stage-service is where operators look. Other alert
 * types are skipped (stage-service's own are in its outbox; reaped jobs are in the job table).
 * At-least-once: a redelivered alert is the same event id and inserts nothing; a database that
 * refuses is waited out ({@link UntilStored}), never nacked (a nack would stop the channel).
 */
@ApplicationScoped
public class DriftAlertConsumer {

    private static final Logger LOG = Logger.getLogger(DriftAlertConsumer.class);

    /** The alerts kept: those only the reaper's reconciler raises. */
    static final Set<String> KEPT = Set.of("PlaneDriftUnmapped", "PlaneDriftUnresolved");

    private final ConsoleRepository console;
    private final io.vertx.mutiny.sqlclient.Pool pool;

    public DriftAlertConsumer(ConsoleRepository console, io.vertx.mutiny.sqlclient.Pool pool) {
        this.console = console;
        this.pool = pool;
    }

    @Incoming("console-alerts")
    public Uni<Void> consume(Message<EventEnvelope> message) {
        EventEnvelope event = message.getPayload();
        if (event == null || !KEPT.contains(event.eventType())) {
            return Uni.createFrom().completionStage(message.ack());
        }
        return UntilStored.retry(() -> console.keepAlert(pool, event),
                        () -> event.eventType() + " " + event.eventId(), LOG)
                .flatMap(v -> Uni.createFrom().completionStage(message.ack()));
    }
}
