package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.recovery.ForceReleaseService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Operator control of transition leases. */
@Path("/transition-lease")
@Produces(MediaType.APPLICATION_JSON)
public class LeaseResource {

    private final ForceReleaseService releases;
    private final OperatorAuth auth;

    public LeaseResource(ForceReleaseService releases, OperatorAuth auth) {
        this.releases = releases;
        this.auth = auth;
    }

    @POST
    @Path("/release")
    @Operation(summary = "Force-release a work item's lease (Bearer BATON_ADMIN_TOKEN); alerts LeaseReclaimed{forced}")
    public Uni<Object> release(@QueryParam("work_item") String workItem,
                               @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        auth.requireAdmin(authorization);
        String id = TaskResource.taskId(workItem);
        return releases.forceRelease(id, "force-released by an operator").map(released -> released.orElseThrow(
                () -> ProblemException.notFound("no transition lease for " + id)));
    }
}
