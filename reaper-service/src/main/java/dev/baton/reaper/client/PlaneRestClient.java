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

/** Plane REST API v1, the one read of the reconciler (the same path stage-service's sync writes). */
@RegisterRestClient(configKey = "plane")
@Path("/api/v1/workspaces/{slug}/projects/{project}/work-items/{item}")
@Produces(MediaType.APPLICATION_JSON)
interface PlaneRestClient {

    /** {@code GET …/work-items/{id}/?expand=state}: the work item with its state object. */
    @GET
    @Path("/")
    Uni<Response> workItem(@PathParam("slug") String slug, @PathParam("project") String project,
                           @PathParam("item") String item, @QueryParam("expand") String expand,
                           @HeaderParam("X-API-Key") String apiKey);
}
