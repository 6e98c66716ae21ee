package dev.baton.stage.client;

import com.fasterxml.jackson.annotation.JsonProperty;
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

import java.util.Map;

/** Gitea REST API v1, only the calls Baton's effects make. Used through {@link GiteaClient}. */
@RegisterRestClient(configKey = "gitea")
@Path("/api/v1/repos/{owner}/{repo}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface GiteaRestClient {

    /** Body of the merge call; {@code head_commit_id} makes Gitea refuse if the PR moved on. */
    record MergeBody(@JsonProperty("Do") String style, @JsonProperty("head_commit_id") String headCommitId) {
    }

    /** Body of a workflow dispatch. */
    record DispatchBody(String ref, Map<String, String> inputs) {
    }

    @POST
    @Path("/pulls/{index}/merge")
    Uni<Response> merge(@PathParam("owner") String owner, @PathParam("repo") String repo,
                        @PathParam("index") int index, @HeaderParam("Authorization") String authorization,
                        MergeBody body);

    /** 204 if the PR is merged, 404 if not. */
    @GET
    @Path("/pulls/{index}/merge")
    Uni<Response> isMerged(@PathParam("owner") String owner, @PathParam("repo") String repo,
                           @PathParam("index") int index, @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/actions/workflows/{workflow}/dispatches")
    Uni<Response> dispatch(@PathParam("owner") String owner, @PathParam("repo") String repo,
                           @PathParam("workflow") String workflow, @HeaderParam("Authorization") String authorization,
                           DispatchBody body);

    @GET
    @Path("/actions/runs")
    Uni<Response> runs(@PathParam("owner") String owner, @PathParam("repo") String repo,
                       @QueryParam("event") String event, @QueryParam("limit") int limit,
                       @HeaderParam("Authorization") String authorization);
}
