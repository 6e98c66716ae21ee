package dev.baton.reaper.messaging;

import dev.baton.events.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes operator alerts to {@code baton.alerts}, keyed by work item. */
@ApplicationScoped
public class AlertPublisher {

    private final MutinyEmitter<EventEnvelope> emitter;

    public AlertPublisher(@Channel("alerts") MutinyEmitter<EventEnvelope> emitter) {
        this.emitter = emitter;
    }

    /** Completes once the broker has acknowledged the record (acks=all). */
    public Uni<Void> publish(EventEnvelope alert) {
        return emitter.sendMessage(Message.of(alert)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(alert.aggregateId()).build()));
    }
}
