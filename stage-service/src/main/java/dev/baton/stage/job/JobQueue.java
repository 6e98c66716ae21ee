package dev.baton.stage.job;

import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import dev.baton.stage.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

/** What a committed stage change does to the job queue, inside the committing transaction. */
@ApplicationScoped
public class JobQueue {

    private final PipelineDefinition pipeline;
    private final JobRepository jobs;
    private final OutboxRepository outbox;

    public JobQueue(PipelineDefinition pipeline, JobRepository jobs, OutboxRepository outbox) {
        this.pipeline = pipeline;
        this.jobs = jobs;
        this.outbox = outbox;
    }

    /**
     * The task entered {@code stage}: a job still queued for the stage it left is dropped, and a
     * worked stage gets its job (with a {@code JobQueued} event), unless one is open already.
     */
    public Uni<Void> enterStage(SqlClient connection, String taskId, String stage) {
        boolean worked = pipeline.stage(stage).map(Stage::worked).orElse(false);
        return jobs.dropQueued(connection, taskId).flatMap(dropped -> !worked ? Uni.createFrom().voidItem()
                : jobs.enqueue(connection, taskId, stage).flatMap(id -> id.isEmpty() ? Uni.createFrom().voidItem()
                        : outbox.transition(connection, taskId, "JobQueued", new JsonObject()
                                .put("taskId", taskId).put("jobId", id.get()).put("stage", stage))));
    }
}
