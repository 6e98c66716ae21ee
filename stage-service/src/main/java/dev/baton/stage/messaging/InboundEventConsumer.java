package dev.baton.stage.messaging;

import dev.baton.events.EventEnvelope;
import dev.baton.stage.inbound.InboundProcessor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes normalised webhook events from {@code baton.inbound}; each event id is applied once. */
@ApplicationScoped
public class InboundEventConsumer {

    private final InboundProcessor processor;

    public InboundEventConsumer(InboundProcessor processor) {
        this.processor = processor;
    }

    @Incoming("inbound")
    public Uni<Void> consume(EventEnvelope event) {
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return Uni.createFrom().voidItem();
        }
        return processor.firstDelivery(event);
    }
}
