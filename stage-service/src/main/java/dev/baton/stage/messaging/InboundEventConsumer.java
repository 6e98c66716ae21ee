package dev.baton.stage.messaging;

import dev.baton.events.EventEnvelope;
import dev.baton.stage.repository.InboundEventRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Consumes normalised webhook events from {@code baton.inbound}, once per event id. */
@ApplicationScoped
public class InboundEventConsumer {

    private static final Logger LOG = Logger.getLogger(InboundEventConsumer.class);

    private final InboundEventRepository events;

    public InboundEventConsumer(InboundEventRepository events) {
        this.events = events;
    }

    @Incoming("inbound")
    public Uni<Void> consume(EventEnvelope event) {
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return Uni.createFrom().voidItem();
        }
        return events.rememberFirstDelivery(event)
                .invoke(first -> LOG.debugf("inbound %s %s for %s (%s)", event.eventType(), event.eventId(),
                        event.aggregateId(), first ? "new" : "redelivery"))
                .replaceWithVoid();
    }
}
