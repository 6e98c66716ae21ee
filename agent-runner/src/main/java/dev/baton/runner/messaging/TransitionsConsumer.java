package dev.baton.runner.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.runner.job.RunnerService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Set;

/**
 * {@code baton.transitions}, in a consumer group of this runner's own (every replica must see
 * every stage change to stop its own agents). {@code JobQueued} wakes the picker, so a queued job
 * starts well under a second later; a stage change stops an agent whose task left its stage.
 * Neither blocks: the work happens on the runner's own threads. Old events are never replayed
 * (the group starts at the latest offset): what was queued meanwhile is found by the pick itself.
 */
@ApplicationScoped
public class TransitionsConsumer {

    private static final Logger LOG = Logger.getLogger(TransitionsConsumer.class);
    static final Set<String> MOVES = Set.of("StageAdvanced", "StageRolledBack", "TaskCancelled");

    private final RunnerService runner;
    private final ObjectMapper json;

    public TransitionsConsumer(RunnerService runner, ObjectMapper json) {
        this.runner = runner;
        this.json = json;
    }

    @Incoming("transitions")
    public void consume(String record) {
        JsonNode event;
        try {
            event = record == null ? null : json.readTree(record);
        } catch (JsonProcessingException e) {
            LOG.warnf("skipping an undecodable record on baton.transitions: %s", e.getOriginalMessage());
            return;
        }
        if (event == null) {
            return;
        }
        String type = event.path("eventType").asText();
        if ("JobQueued".equals(type)) {
            runner.wake();
        } else if (MOVES.contains(type)) {
            String to = event.path("payload").path("to").asText(null);
            if (to != null) {
                runner.taskMoved(event.path("aggregateId").asText(), to);
            }
        }
    }
}
