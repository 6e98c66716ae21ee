package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.gate.FactsRepository;
import dev.baton.stage.gate.GateEvaluator;
import dev.baton.stage.gate.GateReport;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.task.TaskRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.math.BigDecimal;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/** The facts the gates read, as runners and webhooks report them, and the gates' verdict. */
@Path("/tasks/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FactsResource {

    static final Pattern SHA = Pattern.compile("[0-9a-f]{7,64}");
    static final Set<String> DEPLOY_STATES = Set.of("pending", "success", "failure");

    /** {@code POST /tasks/{id}/pull-request}. */
    public record PullRequest(Integer number, String url, String headSha) {
    }

    /** {@code POST /tasks/{id}/coverage}. */
    public record Coverage(BigDecimal percent) {
    }

    /** {@code POST /tasks/{id}/approval}. */
    public record Approval(String by) {
    }

    /** {@code POST /tasks/{id}/deploy-status}. */
    public record DeployStatus(String environment, String state) {
    }

    private final Pool pool;
    private final FactsRepository facts;
    private final TaskRepository tasks;
    private final GateEvaluator gates;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;

    public FactsResource(Pool pool, FactsRepository facts, TaskRepository tasks, GateEvaluator gates,
                         OutboxRepository outbox, OutboxRelay relay) {
        this.pool = pool;
        this.facts = facts;
        this.tasks = tasks;
        this.gates = gates;
        this.outbox = outbox;
        this.relay = relay;
    }

    @GET
    @Path("gates")
    @Operation(summary = "Evaluate the current stage's quality gates without changing anything")
    public Uni<GateReport> gates(@PathParam("id") String id) {
        return pool.withConnection(c -> existing(c, id, task -> gates.evaluate(c, id, task.stage())
                .map(GateEvaluator.Evaluation::report)));
    }

    @POST
    @Path("pull-request")
    @Operation(summary = "Record the task's PR and its head SHA (a new SHA re-opens the gates' CI check)")
    public Uni<Response> pullRequest(@PathParam("id") String id, PullRequest body) {
        if (body == null || body.number() == null || body.number() < 1) {
            throw ProblemException.badRequest("a JSON body {number >= 1, url, headSha} is required");
        }
        String sha = sha(body.headSha());
        String url = TaskResource.optional("url", body.url());
        return pool.withTransaction(c -> existing(c, id, task -> facts.recordPullRequest(c, id, body.number(), url, sha)
                        .call(() -> outbox.transition(c, id, "PullRequestRecorded", new JsonObject().put("taskId", id)
                                .put("prNumber", body.number()).put("prUrl", url).put("headSha", sha)))))
                .invoke(relay::wake)
                .replaceWith(Response.noContent().build());
    }

    @POST
    @Path("coverage")
    @Operation(summary = "Record the coverage the testing job measured, in percent")
    public Uni<Response> coverage(@PathParam("id") String id, Coverage body) {
        if (body == null || body.percent() == null || body.percent().signum() < 0
                || body.percent().compareTo(BigDecimal.valueOf(100)) > 0) {
            throw ProblemException.badRequest("a JSON body {percent: 0..100} is required");
        }
        return pool.withTransaction(c -> existing(c, id, task -> facts.recordCoverage(c, id, body.percent())))
                .replaceWith(Response.noContent().build());
    }

    @POST
    @Path("approval")
    @Operation(summary = "Record the BRD approval")
    public Uni<Response> approval(@PathParam("id") String id, Approval body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {by} is required");
        }
        String by = TaskResource.required("by", body.by());
        return pool.withTransaction(c -> existing(c, id, task -> facts.recordApproval(c, id, by)))
                .replaceWith(Response.noContent().build());
    }

    @POST
    @Path("deploy-status")
    @Operation(summary = "Record a deploy result (environment staging|production, state pending|success|failure)")
    public Uni<Response> deployStatus(@PathParam("id") String id, DeployStatus body) {
        if (body == null || !Set.of("staging", "production").contains(body.environment())
                || !DEPLOY_STATES.contains(body.state())) {
            throw ProblemException.badRequest("a JSON body {environment: staging|production, "
                    + "state: pending|success|failure} is required");
        }
        return pool.withTransaction(c -> existing(c, id, task -> facts.recordDeploy(c, id, body.environment(),
                        body.state())))
                .replaceWith(Response.noContent().build());
    }

    private <T> Uni<T> existing(SqlConnection c, String id, Function<dev.baton.stage.Task, Uni<T>> then) {
        return tasks.find(c, TaskResource.taskId(id)).flatMap(task -> then.apply(task.orElseThrow(
                () -> ProblemException.notFound("no task " + id))));
    }

    static String sha(String value) {
        if (value == null || !SHA.matcher(value).matches()) {
            throw ProblemException.badRequest("'sha' must be a lowercase hex commit id");
        }
        return value;
    }
}
