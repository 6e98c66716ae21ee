package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.gate.FactsRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Set;

/** CI statuses of commits, which the {@code ci_green} gate reads for a PR's head SHA. */
@Path("/statuses")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CommitStatusResource {

    static final Set<String> STATUS_STATES = Set.of("pending", "success", "failure", "error", "warning");

    /** {@code POST /statuses}: a CI status of a commit. */
    public record CommitStatus(String repo, String sha, String context, String state) {
    }

    private final Pool pool;
    private final FactsRepository facts;

    public CommitStatusResource(Pool pool, FactsRepository facts) {
        this.pool = pool;
        this.facts = facts;
    }

    @POST
    @Operation(summary = "Record a CI status of a commit (repo, sha, context, state)")
    public Uni<Response> status(CommitStatus body) {
        if (body == null || !STATUS_STATES.contains(body.state())) {
            throw ProblemException.badRequest("a JSON body {repo, sha, context, state: " + STATUS_STATES
                    + "} is required");
        }
        String repo = TaskResource.required("repo", body.repo());
        String context = TaskResource.required("context", body.context());
        return pool.withTransaction(c -> facts.recordStatus(c, repo, FactsResource.sha(body.sha()), context, body.state()))
                .replaceWith(Response.noContent().build());
    }

}
