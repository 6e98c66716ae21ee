package dev.baton.stage.rest;

import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import dev.baton.stage.pipeline.Transition;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Map;

/** The pipeline definition, read-only: what the notifier renders cards by and the reaper reconciles by. */
@Path("/pipeline")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {

    /**
     * Stages in pipeline order (with their inbound triggers, approval, card group and Plane state),
     * {@code STAGE_TRANSITIONS}, the cancel target, the card groups' labels, and {@code planeStates}:
     * stage → Plane state id of each mirrored stage, derived from the stages' Plane states — the map
     * the Plane sync writes by and the reaper's reconciler reads back by.
     */
    public record PipelineView(List<Stage> stages, List<Transition> transitions, String cancelTo,
                               Map<String, Map<String, String>> cardGroups, Map<String, String> planeStates) {
    }

    private final PipelineView view;

    public PipelineResource(PipelineDefinition pipeline) {
        this.view = new PipelineView(pipeline.stages(), pipeline.transitions(), pipeline.cancelTo().orElse(null),
                pipeline.cardGroups(), pipeline.planeStateIds());
    }

    @GET
    @Operation(summary = "Stages in order with labels (en, ru), inbound triggers, approval, card group and Plane "
            + "state; allowed transitions with their kind and effects; the cancel target; card group labels; and "
            + "the Plane state id of each mirrored stage")
    public PipelineView get() {
        return view;
    }
}
