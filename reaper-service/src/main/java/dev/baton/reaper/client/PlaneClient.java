package dev.baton.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.reaper.config.PlaneConfig;
import dev.baton.reaper.config.ReconcilerConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Reads a work item's state from Plane. Every answer, including none, is a {@link PlaneRead},
 * never an exception, and nothing is retried here: the reconciler's per-sweep budget counts each
 * request, and the next sweep is the retry. The API key goes in a header and is never logged.
 */
@ApplicationScoped
public class PlaneClient {

    private final PlaneRestClient plane;
    private final PlaneConfig config;
    private final ReconcilerConfig reconciler;
    private final ObjectMapper json;

    public PlaneClient(@RestClient PlaneRestClient plane, PlaneConfig config, ReconcilerConfig reconciler,
                       ObjectMapper json) {
        this.plane = plane;
        this.config = config;
        this.reconciler = reconciler;
        this.json = json;
    }

    /** True when an API key is configured; without one the reconciler does not run. */
    public boolean configured() {
        return config.apiKey().filter(k -> !k.isBlank()).isPresent();
    }

    /** {@code GET /api/v1/workspaces/{slug}/projects/{project}/work-items/{item}/?expand=state}. */
    public Uni<PlaneRead> workItem(String project, String item) {
        Duration timeout = reconciler.planeTimeout();
        return Uni.createFrom().deferred(() -> plane.workItem(config.workspace(), project, item, "state",
                        config.apiKey().orElse("")))
                .onFailure(WebApplicationException.class)
                .recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no answer from Plane in " + timeout))
                .map(this::interpret)
                .onFailure().recoverWithItem(e -> PlaneRead.failed(StageServiceClient.describe(e)));
    }

    private PlaneRead interpret(Response response) {
        int status = response.getStatus();
        JsonNode body = body(response);
        return switch (status) {
            case 200 -> found(body);
            case 404 -> new PlaneRead(PlaneRead.Kind.GONE, null, null, null, "404 " + error(body));
            case 429 -> new PlaneRead(PlaneRead.Kind.THROTTLED, null, null, retryAfter(response),
                    "429 " + error(body));
            default -> PlaneRead.failed("Plane answered " + status + " " + error(body));
        };
    }

    /**
     * v1 answers {@code state} as the id, or as the state object under {@code ?expand=state};
     * v2 keeps {@code state_id} and puts the object beside it. All three are read.
     */
    private static PlaneRead found(JsonNode body) {
        JsonNode state = body.path("state");
        String id = state.isObject() ? state.path("id").asText(null) : state.isTextual() ? state.asText() : null;
        if (id == null || id.isBlank()) {
            id = body.path("state_id").asText(null);
        }
        if (id == null || id.isBlank()) {
            return PlaneRead.failed("Plane's answer names no state");
        }
        String name = state.isObject() ? state.path("name").asText(null) : null;
        return new PlaneRead(PlaneRead.Kind.FOUND, id, name, null, null);
    }

    private Duration retryAfter(Response response) {
        String header = response.getHeaderString("Retry-After");
        try {
            return header == null ? reconciler.throttledPause() : Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return reconciler.throttledPause();
        }
    }

    private JsonNode body(Response response) {
        try {
            String text = response.hasEntity() ? response.readEntity(String.class) : null;
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }

    /** Plane's errors come as {@code error}, {@code detail} or {@code error_message}. */
    private static String error(JsonNode body) {
        for (String field : new String[] {"error", "detail", "error_message"}) {
            if (body.hasNonNull(field)) {
                return body.get(field).asText();
            }
        }
        return "";
    }
}
