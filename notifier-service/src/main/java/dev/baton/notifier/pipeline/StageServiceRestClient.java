package dev.baton.notifier.pipeline;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** stage-service's read-only pipeline endpoint. Only {@link PipelineCatalog} uses it. */
@Path("/pipeline")
@RegisterRestClient(configKey = "stage-service")
interface StageServiceRestClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    PipelineView pipeline();
}
