package dev.baton.gateway.webhook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.EventEnvelope;
import dev.baton.events.InboundEventType;

import java.time.Instant;
import java.util.Map;

/** Wraps a typed payload record in the shared envelope, so the record is the single source of its fields. */
final class Envelopes {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ObjectMapper json;

    Envelopes(ObjectMapper json) {
        this.json = json;
    }

    Normalized.Publish publish(String eventId, String workItem, String eventType, Instant occurredAt, Record facts) {
        return new Normalized.Publish(new EventEnvelope(eventId, InboundEventType.AGGREGATE_TYPE, workItem, eventType,
                occurredAt, json.convertValue(facts, MAP)));
    }
}
