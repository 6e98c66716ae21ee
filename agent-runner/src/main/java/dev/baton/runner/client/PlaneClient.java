package dev.baton.runner.client;

import dev.baton.runner.config.PlaneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Posts a job's one comment on its Plane work item; the key goes in a header, never in a log. */
@ApplicationScoped
public class PlaneClient {

    static final String SOURCE = "baton-agent-runner";

    private final PlaneRestClient rest;
    private final PlaneConfig config;

    public PlaneClient(@RestClient PlaneRestClient rest, PlaneConfig config) {
        this.rest = rest;
        this.config = config;
    }

    public boolean enabled() {
        return config.apiKey().isPresent();
    }

    /**
     * Posts {@code html} once per {@code externalId}: Plane's 409 for a repeat counts as done.
     *
     * @return Plane's status code
     */
    public int commentOnce(String project, String item, String html, String externalId) {
        try (Response response = Responses.of(() -> rest.comment(config.workspace(), project, item,
                config.apiKey().orElseThrow(), new PlaneRestClient.Comment(html, SOURCE, externalId)))) {
            return response.getStatus();
        }
    }
}
