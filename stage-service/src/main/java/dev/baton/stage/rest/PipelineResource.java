package dev.baton.stage.rest;

import dev.baton.stage.config.PlaneConfig;
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

/** The pipeline definition, read-only. */
@Path("/pipeline")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {

    /**
     * Stages in pipeline order, {@code STAGE_TRANSITIONS}, and the Plane state id each stage is
     * mirrored to ({@code BATON_PLANE_STATE_MAP}): the one map the Plane sync writes by and the
     * reaper's reconciler reads back by.
     */
    public record PipelineView(List<Stage> stages, List<Transition> transitions, Map<String, String> planeStates) {
    }

    private final PipelineDefinition pipeline;
    private final Map<String, String> planeStates;

    public PipelineResource(PipelineDefinition pipeline, PlaneConfig plane) {
        this.pipeline = pipeline;
        this.planeStates = java.util.Collections.unmodifiableMap(plane.states());
    }

    @GET
    @Operation(summary = "Stages in order with labels (en, ru), allowed transitions with their kind and effects, "
            + "and the Plane state id of each mirrored stage")
    public PipelineView get() {
        return new PipelineView(pipeline.stages(), pipeline.transitions(), planeStates);
    }
}
