package dev.baton.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** stage-service's REST API as the reaper sees it; used only through {@link StageServiceClient}. */
@RegisterRestClient(configKey = "stage-service")
@Produces(MediaType.APPLICATION_JSON)
interface StageServiceRestClient {

    @GET
    @Path("/pipeline")
    Uni<JsonNode> pipeline();
}
