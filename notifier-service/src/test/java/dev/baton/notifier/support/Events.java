package dev.baton.notifier.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.EventEnvelope;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Events in the wire shape of docs/events.md, as stage-service's outbox writes them. */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Events() {
    }

    public static EventEnvelope of(String workItem, String type, Map<String, Object> payload) {
        return new EventEnvelope(UUID.randomUUID().toString(), "task", workItem, type, Instant.now(), payload);
    }

    public static EventEnvelope created(String workItem, String title, String stage) {
        return of(workItem, "TaskCreated", Map.of("taskId", workItem, "repo", "baton/baton", "title", title, "stage", stage));
    }

    public static EventEnvelope moved(String workItem, String type, String from, String to, long version) {
        String kind = type.equals("StageRolledBack") ? "rollback" : type.equals("TaskCancelled") ? "cancel" : "advance";
        return of(workItem, type, Map.ofEntries(Map.entry("taskId", workItem), Map.entry("repo", "baton/baton"),
                Map.entry("title", "Card for " + workItem), Map.entry("from", from), Map.entry("to", to),
                Map.entry("kind", kind), Map.entry("actor", "test"), Map.entry("reason", "test"),
                Map.entry("token", UUID.randomUUID().toString()), Map.entry("guarded", true),
                Map.entry("version", version), Map.entry("requestId", UUID.randomUUID().toString())));
    }

    public static EventEnvelope agentRun(String workItem, String runId, String agent, String model, int attempt,
                                         double cost, long in, long out) {
        return of(workItem, "AgentRunRecorded", Map.ofEntries(Map.entry("taskId", workItem), Map.entry("jobId", "job-" + runId),
                Map.entry("stage", "development"), Map.entry("runId", runId), Map.entry("agent", agent),
                Map.entry("model", model), Map.entry("effort", "high"), Map.entry("attempt", attempt),
                Map.entry("costUsd", cost), Map.entry("tokensIn", in), Map.entry("tokensOut", out)));
    }

    /**
     * A payload as stage-service's {@code JsonObject} builds it: keys in the given order, values
     * as given (numbers stay numbers, costs are strings, a null is a JSON null).
     */
    public static Map<String, Object> payload(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            payload.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return payload;
    }

    /** The envelope JSON as OutboxRelay sends it: occurredAt an ISO instant string, the payload as is. */
    public static String json(EventEnvelope event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
