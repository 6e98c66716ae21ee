package dev.baton.stage.rest;

import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.job.Followup;
import dev.baton.stage.job.Job;
import dev.baton.stage.job.JobRepository;
import dev.baton.stage.job.JobService;
import dev.baton.stage.pipeline.PipelineDefinition;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** The agent-runner protocol on jobs, and the reaper's view of running jobs. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class JobResource {

    /** {@code POST /jobs/pick}. */
    public record Pick(String runnerId, List<String> stages) {
    }

    /** {@code POST /jobs/{id}/runs}; {@code exitCode} and {@code reason} (how the attempt ended) are optional. */
    public record Run(String agent, String model, String effort, Integer attempt, BigDecimal costUsd, Long tokensIn,
                      Long tokensOut, Integer exitCode, String reason) {
    }

    /** {@code POST /jobs/{id}/exit}; {@code reason} (optional) becomes the job's detail. */
    public record Exit(Integer code, String reason) {
    }

    /**
     * {@code POST /jobs/{id}/claim}; {@code then} (optional) is the transition the winner asks for
     * next, asked on its behalf if it dies before (docs/stage-service.md, "Follow-ups").
     */
    public record ClaimBody(String expected, String status, String reason, Then then) {
    }

    /** {@code to}: a stage of the pipeline, from the job's stage; {@code actor} and {@code requestId}: the winner's. */
    public record Then(String to, String actor, String requestId) {
    }

    private final JobService jobs;
    private final JobRepository repository;
    private final Pool pool;
    private final PipelineDefinition pipeline;

    public JobResource(JobService jobs, JobRepository repository, Pool pool, PipelineDefinition pipeline) {
        this.jobs = jobs;
        this.repository = repository;
        this.pool = pool;
        this.pipeline = pipeline;
    }

    @POST
    @Path("pick")
    @Operation(summary = "The oldest queued job (of the given stages) for this runner, or 204")
    public Uni<Response> pick(Pick body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {runnerId, stages?} is required");
        }
        String runnerId = TaskResource.required("runnerId", body.runnerId());
        return jobs.pick(runnerId, body.stages() == null || body.stages().isEmpty() ? null : body.stages())
                .map(job -> job.map(j -> Response.ok(j).build()).orElseGet(() -> Response.noContent().build()));
    }

    @POST
    @Path("{id}/runs")
    @Operation(summary = "Record one agent run of a running job")
    public Uni<Response> run(@PathParam("id") long id, Run body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {agent, model, effort, attempt, costUsd, tokensIn, "
                    + "tokensOut} is required");
        }
        String agent = TaskResource.required("agent", body.agent());
        int attempt = body.attempt() == null ? 1 : body.attempt();
        BigDecimal cost = body.costUsd() == null ? BigDecimal.ZERO : body.costUsd();
        long in = body.tokensIn() == null ? 0 : body.tokensIn();
        long out = body.tokensOut() == null ? 0 : body.tokensOut();
        if (attempt < 1 || cost.signum() < 0 || in < 0 || out < 0) {
            throw ProblemException.badRequest("attempt must be >= 1; costUsd, tokensIn and tokensOut must be >= 0");
        }
        return jobs.recordRun(id, new JobRepository.AgentRun(agent, TaskResource.optional("model", body.model()),
                        TaskResource.optional("effort", body.effort()), attempt, cost, in, out, body.exitCode(),
                        TaskResource.optional("reason", body.reason())))
                .map(runId -> Response.status(201).entity(Map.of("runId", runId, "jobId", id)).build());
    }

    @POST
    @Path("{id}/exit")
    @Operation(summary = "Record the agent's exit code (once) and when it was recorded")
    public Uni<Job> exit(@PathParam("id") long id, Exit body) {
        if (body == null || body.code() == null) {
            throw ProblemException.badRequest("a JSON body {code} is required");
        }
        return jobs.recordExit(id, body.code(), TaskResource.optional("reason", body.reason()));
    }

    @POST
    @Path("{id}/claim")
    @Operation(summary = "Claim a terminal status atomically: 200 won / 409 lost")
    public Uni<Response> claim(@PathParam("id") long id, ClaimBody body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {expected, status} is required");
        }
        String expected = TaskResource.required("expected", body.expected());
        String status = TaskResource.required("status", body.status());
        return jobs.claim(id, expected, status, TaskResource.optional("reason", body.reason()), next(body.then()))
                .map(claim -> Response.status(claim.won() ? 200 : 409)
                        .entity(Map.of("claim", claim.won() ? "won" : "lost", "job", claim.job())).build());
    }

    private Followup.Next next(Then then) {
        if (then == null) {
            return null;
        }
        String to = TaskResource.required("then.to", then.to());
        if (pipeline.stage(to).isEmpty()) {
            throw ProblemException.badRequest("'then.to' names no stage of the pipeline: " + to);
        }
        Actor actor = Actor.fromKey(TaskResource.required("then.actor", then.actor())).orElseThrow(() ->
                ProblemException.badRequest("unknown actor '" + then.actor() + "' in 'then' (one of " + Actor.keys() + ")"));
        return new Followup.Next(to, actor, TaskResource.required("then.requestId", then.requestId()));
    }

    @POST
    @Path("{id}/finalize")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "After the runner's own finalisation: gates, claim, and (if won) the transition as monitor")
    public Uni<Response> finalizeJob(@PathParam("id") long id) {
        return jobs.finalizeJob(id).map(done -> Response.status("won".equals(done.claim()) ? 200 : 409)
                .entity(done).build());
    }

    @GET
    @Operation(summary = "Running jobs with ages, exit, runner restart and the task's lease state (status=running)")
    public Uni<List<JobRepository.RunningJob>> running(@QueryParam("status") String status) {
        if (!"running".equals(status)) {
            throw ProblemException.badRequest("only status=running is supported");
        }
        return pool.withConnection(repository::running);
    }
}
