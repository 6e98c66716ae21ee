package dev.baton.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One event on a Baton topic, in the outbox shape (aggregate type and id, event type,
 * time, payload). Consumers de-duplicate by {@code eventId}; the Kafka key is
 * {@code aggregateId}, so all events of one work item stay in order on one partition.
 *
 * @param eventId unique per event; the same across redeliveries
 * @param aggregateType what the event is about, e.g. {@code task}
 * @param aggregateId the work item key, e.g. {@code ORCH-114}
 * @param eventType past-tense name, e.g. {@code StageAdvanced}
 * @param occurredAt when the fact was committed
 * @param payload event-specific fields
 */
public record EventEnvelope(
        String eventId,
        String aggregateType,
        String aggregateId,
        String eventType,
        Instant occurredAt,
        Map<String, Object> payload) {

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(eventType, "eventType");
        payload = payload == null ? Map.of() : payload;
    }
}
