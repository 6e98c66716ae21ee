package dev.baton.stage.plane;

import dev.baton.stage.config.PlaneConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Duration;

/**
 * Plane calls of the sync, translated: done, retry later (429, 5xx, no answer), or refused.
 * A 409 on the comment means it exists already (a repeat): done.
 */
@ApplicationScoped
public class PlaneClient {

    /** What a call established. */
    public enum Answer { DONE, RETRY, REFUSED }

    private final PlaneRestClient plane;
    private final PlaneConfig config;

    public PlaneClient(@RestClient PlaneRestClient plane, PlaneConfig config) {
        this.plane = plane;
        this.config = config;
    }

    public Uni<Answer> setState(String project, String item, String stateId) {
        return call(plane.setState(config.workspace(), project, item, key(), new PlaneRestClient.StatePatch(stateId)));
    }

    public Uni<Answer> comment(String project, String item, String html, String externalId) {
        return call(plane.comment(config.workspace(), project, item, key(),
                new PlaneRestClient.Comment(html, "baton", externalId)));
    }

    private Uni<Answer> call(Uni<Response> call) {
        return call.onFailure(WebApplicationException.class)
                .recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .ifNoItem().after(Duration.ofSeconds(20)).fail()
                .map(response -> {
                    int status = response.getStatus();
                    if (status < 300 || status == 409) {
                        return Answer.DONE;
                    }
                    return status == 429 || status >= 500 ? Answer.RETRY : Answer.REFUSED;
                })
                .onFailure().recoverWithItem(Answer.RETRY);
    }

    private String key() {
        return config.apiKey().orElse("");
    }
}
