package dev.baton.runner.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.math.BigDecimal;
import java.util.List;

/** stage-service's runner protocol; used only through {@link StageServiceClient}. Blocking: called off the event loop. */
@RegisterRestClient(configKey = "stage-service")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface StageServiceRestClient {

    record Register(String runnerId, String bootId) {
    }

    record Pick(String runnerId, List<String> stages) {
    }

    record Run(String agent, String model, String effort, int attempt, BigDecimal costUsd, Long tokensIn,
               Long tokensOut, Integer exitCode, String reason) {
    }

    record Exit(int code, String reason) {
    }

    record PullRequest(int number, String url, String headSha) {
    }

    record Coverage(BigDecimal percent) {
    }

    record Approval(String by) {
    }

    record DeployStatus(String environment, String state) {
    }

    @POST
    @Path("/runners")
    Response register(Register body);

    @POST
    @Path("/jobs/pick")
    Response pick(Pick body);

    @GET
    @Path("/tasks/{id}")
    Response task(@PathParam("id") String id);

    @POST
    @Path("/jobs/{id}/runs")
    Response run(@PathParam("id") long id, Run body);

    @POST
    @Path("/jobs/{id}/exit")
    Response exit(@PathParam("id") long id, Exit body);

    @POST
    @Path("/jobs/{id}/finalize")
    Response finalizeJob(@PathParam("id") long id);

    @POST
    @Path("/tasks/{id}/pull-request")
    Response pullRequest(@PathParam("id") String id, PullRequest body);

    @POST
    @Path("/tasks/{id}/coverage")
    Response coverage(@PathParam("id") String id, Coverage body);

    @POST
    @Path("/tasks/{id}/approval")
    Response approval(@PathParam("id") String id, Approval body);

    @POST
    @Path("/tasks/{id}/deploy-status")
    Response deployStatus(@PathParam("id") String id, DeployStatus body);
}
