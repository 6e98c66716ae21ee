package dev.baton.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The reaper's only way to stage-service: it asks, stage-service decides and writes. */
@ApplicationScoped
public class StageServiceClient {

    private final StageServiceRestClient restClient;

    public StageServiceClient(@RestClient StageServiceRestClient restClient) {
        this.restClient = restClient;
    }

    /** The pipeline definition stage-service runs. */
    public Uni<JsonNode> pipeline() {
        return restClient.pipeline();
    }
}
