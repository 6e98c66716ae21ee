package dev.baton.reaper.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** Gitea's Actions API, as far as the deploy finalizer reads it; used only through {@link GiteaClient}. */
@RegisterRestClient(configKey = "gitea")
@Path("/api/v1/repos/{owner}/{repo}")
@Produces(MediaType.APPLICATION_JSON)
interface GiteaRestClient {

    @GET
    @Path("/actions/runs")
    Uni<Response> runs(@PathParam("owner") String owner, @PathParam("repo") String repo,
                       @QueryParam("event") String event, @QueryParam("limit") int limit,
                       @HeaderParam("Authorization") String authorization);
}
