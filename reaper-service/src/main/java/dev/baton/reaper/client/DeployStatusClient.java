package dev.baton.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.reaper.config.FinalizerConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The deploy finalizer's alternative to Gitea runs: a configured rollout status URL
 * ({@code BATON_FINALIZER_STATUS_URL}, {@code {taskId}} and {@code {key}} filled in). It must answer
 * {@code 200 {"status": "..."}} (optionally {@code "detail"}); {@code success} → success;
 * {@code failure}, {@code failed}, {@code error}, {@code cancelled} → failure; anything else
 * (e.g. {@code pending}, {@code running}) → still going. 404 = the rollout is not known yet.
 * Every other answer, or none, is {@code UNKNOWN}: looked at again next sweep.
 *
 * <p>The JDK client is asynchronous, so no thread waits on the call.
 */
@ApplicationScoped
public class DeployStatusClient {

    private static final Set<String> FAILED = Set.of("failure", "failed", "error", "cancelled", "canceled");

    private final FinalizerConfig config;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public DeployStatusClient(FinalizerConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    /** The status URL template, if one is configured. */
    public Optional<String> template() {
        return config.statusUrl().filter(u -> !u.isBlank());
    }

    /** The rollout status of the deploy {@code key} of {@code taskId}, from {@code template}. */
    public Uni<DeployRun> status(String template, String taskId, String key) {
        URI uri;
        try {
            uri = URI.create(template.replace("{taskId}", encode(taskId)).replace("{key}", encode(key)));
        } catch (IllegalArgumentException e) {
            // Not the message: it quotes the URL, which is configuration and stays out of logs.
            return Uni.createFrom().item(new DeployRun(DeployRun.State.UNKNOWN, 0,
                    "BATON_FINALIZER_STATUS_URL is not a URL once filled in"));
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.statusTimeout())
                .header("Accept", "application/json").GET().build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(this::interpret)
                .onFailure().recoverWithItem(e -> new DeployRun(DeployRun.State.UNKNOWN, 0,
                        "status URL: " + StageServiceClient.describe(e)));
    }

    private DeployRun interpret(HttpResponse<String> response) {
        if (response.statusCode() == 404) {
            return new DeployRun(DeployRun.State.NOT_FOUND, 0, "status URL knows no such rollout (404)");
        }
        if (response.statusCode() != 200) {
            return new DeployRun(DeployRun.State.UNKNOWN, 0, "status URL answered " + response.statusCode());
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (Exception e) {
            return new DeployRun(DeployRun.State.UNKNOWN, 0, "status URL: unreadable answer");
        }
        String status = body.path("status").asText("").toLowerCase(Locale.ROOT);
        String detail = status + (body.hasNonNull("detail") ? " (" + body.get("detail").asText() + ")" : "");
        if (status.isEmpty()) {
            return new DeployRun(DeployRun.State.UNKNOWN, 0, "status URL: no \"status\" in the answer");
        }
        if ("success".equals(status)) {
            return new DeployRun(DeployRun.State.SUCCESS, 0, detail);
        }
        return new DeployRun(FAILED.contains(status) ? DeployRun.State.FAILURE : DeployRun.State.PENDING, 0, detail);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
