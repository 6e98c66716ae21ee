package dev.baton.stage.job;

import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.transition.CommitParticipant;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What a committed stage change does to the job queue, inside the committing statement
 * ({@code stage.record_stage_change}): a job still queued for the stage left is dropped, and a
 * worked stage gets its job (with a {@code JobQueued} event), unless one is open already.
 */
@ApplicationScoped
public class JobQueue implements CommitParticipant {

    private final PipelineDefinition pipeline;

    public JobQueue(PipelineDefinition pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Part join(Transition transition) {
        return pipeline.stage(transition.to()).map(Stage::worked).orElse(false) ? Part.QUEUE_JOB : null;
    }
}
