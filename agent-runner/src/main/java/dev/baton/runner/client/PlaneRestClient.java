package dev.baton.runner.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** Plane REST API v1: a work item's comments. Used only through {@link PlaneClient}. */
@RegisterRestClient(configKey = "plane")
@Path("/api/v1/workspaces/{slug}/projects/{project}/work-items/{item}/comments/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface PlaneRestClient {

    /** Plane answers 409 to a second comment with the same external id. */
    record Comment(@JsonProperty("comment_html") String commentHtml,
                   @JsonProperty("external_source") String externalSource,
                   @JsonProperty("external_id") String externalId) {
    }

    @POST
    Response comment(@PathParam("slug") String slug, @PathParam("project") String project,
                     @PathParam("item") String item, @HeaderParam("X-API-Key") String apiKey, Comment body);
}
