package dev.baton.notifier.messaging;

import dev.baton.events.EventEnvelope;
import dev.baton.notifier.repository.ProcessedEventRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Consumes {@code baton.transitions} and {@code baton.alerts}, once per event id. */
@ApplicationScoped
public class PipelineEventConsumer {

    private static final Logger LOG = Logger.getLogger(PipelineEventConsumer.class);

    private final ProcessedEventRepository events;

    public PipelineEventConsumer(ProcessedEventRepository events) {
        this.events = events;
    }

    @Incoming("transitions")
    public Uni<Void> consumeTransition(EventEnvelope event) {
        return remember(event);
    }

    @Incoming("alerts")
    public Uni<Void> consumeAlert(EventEnvelope event) {
        return remember(event);
    }

    private Uni<Void> remember(EventEnvelope event) {
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return Uni.createFrom().voidItem();
        }
        return events.rememberFirstDelivery(event)
                .invoke(first -> LOG.debugf("%s %s for %s (%s)", event.eventType(), event.eventId(),
                        event.aggregateId(), first ? "new" : "redelivery"))
                .replaceWithVoid();
    }
}
