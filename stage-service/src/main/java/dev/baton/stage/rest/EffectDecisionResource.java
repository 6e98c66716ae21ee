package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.effect.InDoubtDecision;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** An operator's decision on an in-doubt effect, behind {@code BATON_ADMIN_TOKEN} (the console's button makes the same call). */
@Path("/tasks/{id}/effects")
@Produces(MediaType.APPLICATION_JSON)
public class EffectDecisionResource {

    /** Body of a decision on an in-doubt effect. */
    public record DecisionBody(String decision, String reason) {
    }

    private final OperatorAuth auth;
    private final InDoubtDecision decisions;

    public EffectDecisionResource(OperatorAuth auth, InDoubtDecision decisions) {
        this.auth = auth;
        this.decisions = decisions;
    }

    @POST
    @Path("{effect}/decision")
    @Operation(summary = "Mark an in-doubt effect 'happened' or 'did-not-happen' after checking the outside system "
            + "(Bearer BATON_ADMIN_TOKEN); recorded in the ledger and history, alerted EffectDecided")
    public Uni<InDoubtDecision.Decided> decide(@PathParam("id") String id, @PathParam("effect") String effect,
                                               DecisionBody body,
                                               @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        auth.requireAdmin(authorization);
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {decision, reason} is required");
        }
        return decisions.decide(TaskResource.taskId(id), effect, InDoubtDecision.Decision.of(body.decision()),
                body.reason());
    }
}
