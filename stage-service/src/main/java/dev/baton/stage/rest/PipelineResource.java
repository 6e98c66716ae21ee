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

/** The pipeline definition, read-only. */
@Path("/pipeline")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {

    /** Stages in pipeline order, and {@code STAGE_TRANSITIONS}. */
    public record PipelineView(List<Stage> stages, List<Transition> transitions) {
    }

    private final PipelineDefinition pipeline;

    public PipelineResource(PipelineDefinition pipeline) {
        this.pipeline = pipeline;
    }

    @GET
    @Operation(summary = "Stages in order with labels (en, ru), allowed transitions with their kind and effects")
    public PipelineView get() {
        return new PipelineView(pipeline.stages(), pipeline.transitions());
    }
}
