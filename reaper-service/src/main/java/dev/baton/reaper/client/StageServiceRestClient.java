package dev.baton.reaper.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * stage-service's REST API as the reaper sees it; used only through {@link StageServiceClient},
 * which turns every status (2xx, 4xx, 5xx) into a domain result.
 */
@RegisterRestClient(configKey = "stage-service")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface StageServiceRestClient {

    /** {@code POST /jobs/{id}/claim}; {@code then}, if any, is asked on the reaper's behalf should it die after the claim. */
    record ClaimBody(String expected, String status, String reason, Then then) {
    }

    /** The transition the claim's winner asks for next: to {@code to}, as {@code actor}, with {@code requestId}. */
    record Then(String to, String actor, String requestId) {
    }

    /** {@code POST /tasks/{id}/transitions}. */
    record TransitionBody(String from, String to, String actor, String reason, String requestId) {
    }

    /** {@code POST /sweeps/{name}/claim}. */
    record SweepBody(String holder, double intervalS) {
    }

    /** {@code POST /tasks/{id}/deploy-status}. */
    record DeployStatusBody(String environment, String state) {
    }

    @GET
    @Path("/pipeline")
    Uni<Response> pipeline();

    @GET
    @Path("/jobs")
    Uni<Response> jobs(@QueryParam("status") String status);

    @POST
    @Path("/jobs/{id}/claim")
    Uni<Response> claim(@PathParam("id") long id, ClaimBody body);

    @GET
    @Path("/tasks/{id}/gates")
    Uni<Response> gates(@PathParam("id") String taskId);

    @GET
    @Path("/tasks")
    Uni<Response> tasks(@QueryParam("active") boolean active);

    @GET
    @Path("/tasks/{id}")
    Uni<Response> task(@PathParam("id") String taskId);

    @POST
    @Path("/tasks/{id}/transitions")
    Uni<Response> transition(@PathParam("id") String taskId, TransitionBody body);

    @POST
    @Path("/tasks/{id}/deploy-status")
    Uni<Response> deployStatus(@PathParam("id") String taskId, DeployStatusBody body);

    @POST
    @Path("/transition-lease/release")
    Uni<Response> releaseLease(@QueryParam("work_item") String workItem,
                               @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/sweeps/{name}/claim")
    Uni<Response> sweep(@PathParam("name") String name, SweepBody body);

    @GET
    @Path("/queue")
    Uni<Response> queue();
}
