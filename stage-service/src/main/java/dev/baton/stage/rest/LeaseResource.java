package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.config.AdminConfig;
import dev.baton.stage.transition.TransitionService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Operator control of transition leases. */
@Path("/transition-lease")
@Produces(MediaType.APPLICATION_JSON)
public class LeaseResource {

    private final TransitionService transitions;
    private final AdminConfig admin;

    public LeaseResource(TransitionService transitions, AdminConfig admin) {
        this.transitions = transitions;
        this.admin = admin;
    }

    @POST
    @Path("/release")
    @Operation(summary = "Force-release a work item's lease (Bearer BATON_ADMIN_TOKEN); alerts LeaseReclaimed{forced}")
    public Uni<Object> release(@QueryParam("work_item") String workItem,
                               @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        authorize(authorization);
        String id = TaskResource.taskId(workItem);
        return transitions.forceRelease(id, "force-released by an operator").map(released -> released.orElseThrow(
                () -> ProblemException.notFound("no transition lease for " + id)));
    }

    /** Constant-time comparison; with no token configured the endpoint refuses everyone. */
    private void authorize(String authorization) {
        String expected = admin.token().filter(t -> !t.isBlank()).orElse(null);
        String presented = authorization != null && authorization.startsWith("Bearer ")
                ? authorization.substring("Bearer ".length()).trim() : null;
        if (expected == null || presented == null || !MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            throw new ProblemException(401, "Unauthorized",
                    "a valid 'Authorization: Bearer <admin token>' header is required");
        }
    }
}
