package dev.baton.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.reaper.config.GiteaConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Finds a deploy run by its idempotency key (the deploy workflow sets {@code run-name} to it, so
 * it shows in {@code display_title}) and says where it is. Every failure is a {@link DeployRun}
 * with state {@code UNKNOWN}, never an exception. The token is sent in a header, never logged.
 */
@ApplicationScoped
public class GiteaClient {

    private static final Logger LOG = Logger.getLogger(GiteaClient.class);
    private static final Set<String> FAILED = Set.of("failure", "cancelled", "canceled", "timed_out", "timedout");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final GiteaRestClient gitea;
    private final GiteaConfig config;
    private final ObjectMapper json;

    public GiteaClient(@RestClient GiteaRestClient gitea, GiteaConfig config, ObjectMapper json) {
        this.gitea = gitea;
        this.config = config;
        this.json = json;
    }

    /** The newest {@code workflow_dispatch} run of {@code repo} whose title carries {@code key}. */
    public Uni<DeployRun> run(String repo, String key) {
        int slash = repo == null ? -1 : repo.indexOf('/');
        if (slash <= 0 || slash == repo.length() - 1) {
            return Uni.createFrom().item(new DeployRun(DeployRun.State.UNKNOWN, 0, "repo is not owner/name: " + repo));
        }
        String auth = config.token().filter(t -> !t.isBlank()).map(t -> "token " + t).orElse(null);
        return Uni.createFrom().deferred(() -> gitea.runs(repo.substring(0, slash), repo.substring(slash + 1),
                        "workflow_dispatch", config.runsLimit(), auth))
                .onFailure(WebApplicationException.class)
                .recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .ifNoItem().after(TIMEOUT).failWith(() -> new TimeoutException("no answer from Gitea in " + TIMEOUT))
                .map(response -> interpret(repo, key, response))
                .onFailure().recoverWithItem(e -> new DeployRun(DeployRun.State.UNKNOWN, 0,
                        "Gitea: " + e.getClass().getSimpleName()));
    }

    private DeployRun interpret(String repo, String key, Response response) {
        if (response.getStatus() != 200) {
            LOG.warnf("Gitea runs of %s answered %d", repo, response.getStatus());
            return new DeployRun(DeployRun.State.UNKNOWN, 0, "Gitea answered " + response.getStatus());
        }
        JsonNode body;
        try {
            body = json.readTree(response.readEntity(String.class));
        } catch (Exception e) {
            return new DeployRun(DeployRun.State.UNKNOWN, 0, "unreadable runs list");
        }
        JsonNode newest = null;
        for (JsonNode run : body.path("workflow_runs")) {
            if (run.path("display_title").asText("").contains(key)
                    && (newest == null || run.path("id").asLong() > newest.path("id").asLong())) {
                newest = run;
            }
        }
        if (newest == null) {
            return new DeployRun(DeployRun.State.NOT_FOUND, 0, "no run titled with " + key);
        }
        String status = newest.path("status").asText("");
        String conclusion = newest.path("conclusion").asText("");
        String detail = status + (conclusion.isEmpty() ? "" : "/" + conclusion);
        long id = newest.path("id").asLong();
        // Gitea reports either status=completed with a conclusion, or the result as the status itself.
        String result = "completed".equals(status) ? conclusion : status;
        if ("success".equals(result)) {
            return new DeployRun(DeployRun.State.SUCCESS, id, detail);
        }
        if (FAILED.contains(result)) {
            return new DeployRun(DeployRun.State.FAILURE, id, detail);
        }
        return new DeployRun(DeployRun.State.PENDING, id, detail);
    }
}
