package dev.baton.runner.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
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

/** Gitea API v1: the pull requests of a repository. Used only through {@link GiteaClient}. */
@RegisterRestClient(configKey = "gitea")
@Path("/api/v1/repos/{owner}/{name}/pulls")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface GiteaRestClient {

    /** {@code POST .../pulls} body. */
    record CreatePull(String head, String base, String title, String body) {
    }

    /** A pull request as Gitea answers it (only what the runner reads). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Pull(int number, @JsonProperty("html_url") String htmlUrl, String state, Branch head) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Branch(String ref, String sha) {
    }

    @GET
    Response open(@PathParam("owner") String owner, @PathParam("name") String name,
                  @QueryParam("state") String state, @QueryParam("limit") int limit,
                  @HeaderParam("Authorization") String authorization);

    @POST
    Response create(@PathParam("owner") String owner, @PathParam("name") String name,
                    @HeaderParam("Authorization") String authorization, CreatePull body);
}
