package dev.baton.notifier.messaging;

import org.jboss.logging.MDC;
import dev.baton.events.EventEnvelope;
import dev.baton.notifier.alert.AlertService;
import dev.baton.notifier.repository.ProcessedEventRepository;
import dev.baton.notifier.sender.ChatSenders;
import dev.baton.notifier.tracker.CardEventService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Consumes {@code baton.transitions} and {@code baton.alerts}, once per event id, and never waits
 * on Telegram: an event only changes the notifier's durable state (the card and its pending mark,
 * or a queued alert) in one transaction with its event id, and is acknowledged as soon as that
 * commits. The chat senders ({@link ChatSenders}) do the talking, under the chat's budget.
 *
 * <p>Why: a consumer that held each record until its card was sent at 20 messages a minute let a
 * burst of 190 items leave records unacknowledged past the connector's limit, which marked the
 * service unhealthy for good: a restart loop in Kubernetes. A database that is briefly away (a
 * PostgreSQL restart) is waited out with a bounded retry; past it the event is logged and skipped.
 */
@ApplicationScoped
public class PipelineEventConsumer {

    private static final Logger LOG = Logger.getLogger(PipelineEventConsumer.class);
    /** Bounded well under the connector's 60 s limit on an unacknowledged record. */
    static final Duration RETRY_FOR = Duration.ofSeconds(30);

    private final Pool pool;
    private final ProcessedEventRepository events;
    private final CardEventService cardEvents;
    private final AlertService alerts;
    private final ChatSenders senders;

    public PipelineEventConsumer(Pool pool, ProcessedEventRepository events, CardEventService cardEvents,
                                 AlertService alerts, ChatSenders senders) {
        this.pool = pool;
        this.events = events;
        this.cardEvents = cardEvents;
        this.alerts = alerts;
        this.senders = senders;
    }

    @Incoming("transitions")
    public Uni<Void> consumeTransition(EventEnvelope event) {
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return Uni.createFrom().voidItem();
        }
        MDC.put("workItem", event.aggregateId());
        return settle(event, cardEvents.apply(event));
    }

    @Incoming("alerts")
    public Uni<Void> consumeAlert(EventEnvelope event) {
        if (event == null) {
            return Uni.createFrom().voidItem();
        }
        MDC.put("workItem", event.aggregateId());
        return settle(event, pool.withTransaction(conn -> events.rememberFirstDelivery(conn, event)
                .chain(first -> first ? alerts.enqueue(conn, event) : Uni.createFrom().item(false))));
    }

    private Uni<Void> settle(EventEnvelope event, Uni<Boolean> applied) {
        return applied
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).expireIn(RETRY_FOR.toMillis())
                .invoke(changed -> {
                    if (changed) {
                        senders.wake();
                    }
                })
                .onFailure().invoke(e -> LOG.errorf("%s %s for %s not applied: %s", event.eventType(), event.eventId(),
                        event.aggregateId(), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
