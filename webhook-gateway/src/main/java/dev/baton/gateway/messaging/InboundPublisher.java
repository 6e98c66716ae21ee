package dev.baton.gateway.messaging;

import dev.baton.events.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes normalised webhook events to {@code baton.inbound}, keyed by work item. */
@ApplicationScoped
public class InboundPublisher {

    private final MutinyEmitter<EventEnvelope> emitter;

    public InboundPublisher(@Channel("inbound") MutinyEmitter<EventEnvelope> emitter) {
        this.emitter = emitter;
    }

    /**
     * Completes once the broker has acknowledged the record (acks=all), so a webhook is
     * answered 2xx only when its event is durable. The key keeps one work item's events in
     * order on one partition.
     */
    public Uni<Void> publish(EventEnvelope event) {
        return emitter.sendMessage(Message.of(event)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.aggregateId()).build()));
    }
}
