package dev.baton.notifier.messaging;

import dev.baton.common.UntilStored;
import dev.baton.common.tracing.TraceMdc;
import dev.baton.common.tracing.TraceParent;
import dev.baton.events.EventEnvelope;
import dev.baton.notifier.alert.AlertService;
import dev.baton.notifier.repository.ProcessedEventRepository;
import dev.baton.notifier.sender.ChatSenders;
import dev.baton.notifier.tracker.CardEventService;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes {@code baton.transitions} and {@code baton.alerts}, once per event id, and never waits
 * on Telegram: an event only changes the notifier's durable state (the card and its pending mark,
 * or a queued alert) in one transaction with its event id, and is acknowledged as soon as that
 * commits. The chat senders ({@link ChatSenders}) do the talking, under the chat's budget.
 *
 * <p>Why: a consumer that held each record until its card was sent at 20 messages a minute let a
 * burst of 190 items leave records unacknowledged past the connector's limit, which marked the
 * service unhealthy for good: a restart loop in Kubernetes. A database that refuses (a PostgreSQL
 * restart) is waited out ({@link UntilStored}): the record stays unacknowledged, never skipped, so
 * no card update is lost; the connector's age limit on such a record is off for these channels.
 *
 * <p>A record's trace (the connector's consumer span, a child of its {@code traceparent} header) is
 * stored with the card's pending mark or the queued alert: the sender's Telegram call, later and on
 * its own thread, continues it. Taking the {@link Message} is what gives access to that span; the record is
 * acknowledged once its change committed, as before.
 */
@ApplicationScoped
public class PipelineEventConsumer {

    private static final Logger LOG = Logger.getLogger(PipelineEventConsumer.class);

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
    public Uni<Void> consumeTransition(Message<EventEnvelope> message) {
        EventEnvelope event = message.getPayload();
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return Uni.createFrom().completionStage(message.ack());
        }
        String traceParent = traced(message);
        return settle(event, cardEvents.apply(event, traceParent))
                .chain(() -> Uni.createFrom().completionStage(message.ack()));
    }

    @Incoming("alerts")
    public Uni<Void> consumeAlert(Message<EventEnvelope> message) {
        EventEnvelope event = message.getPayload();
        if (event == null) {
            return Uni.createFrom().completionStage(message.ack());
        }
        String traceParent = traced(message);
        return settle(event, pool.withTransaction(conn -> events.rememberFirstDelivery(conn, event)
                .chain(first -> first ? alerts.enqueue(conn, event, traceParent) : Uni.createFrom().item(false))))
                .chain(() -> Uni.createFrom().completionStage(message.ack()));
    }

    /**
     * The record's consumer span (its parent: the record's {@code traceparent}) and work item on
     * every line logged meanwhile. @return that span's traceparent, kept with what the record queues
     */
    private static String traced(Message<EventEnvelope> message) {
        Context trace = TracingMetadata.fromMessage(message).map(TracingMetadata::getCurrentContext)
                .orElseGet(Context::current);
        MDC.put("workItem", message.getPayload().aggregateId());
        TraceMdc.put(trace);
        return TraceParent.of(trace);
    }

    private Uni<Void> settle(EventEnvelope event, Uni<Boolean> applied) {
        return UntilStored.retry(() -> applied, () -> event.eventType() + " " + event.eventId(), LOG)
                .invoke(changed -> {
                    if (changed) {
                        senders.wake();
                    }
                })
                .replaceWithVoid();
    }
}
