package dev.baton.stage.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.stage.config.GiteaConfig;
import dev.baton.stage.tracing.TransitionTracing;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Gitea calls of Baton's effects, with Gitea's answers translated into what they mean
 * for an irreversible effect: done, certainly not done, or unknown. Owns retries with backoff
 * (bounded) for "try again later" and 5xx. The token goes in a header and is never logged.
 */
@ApplicationScoped
public class GiteaClient {

    private static final Logger LOG = Logger.getLogger(GiteaClient.class);

    /** What a merge call established. */
    public enum Merge { MERGED, ALREADY_MERGED, HEAD_OUT_OF_DATE, REFUSED, UNKNOWN }

    /** A merge outcome with Gitea's words. */
    public record MergeResult(Merge outcome, String detail) {
    }

    /** What a lookup established: yes, no, or cannot tell. */
    public enum Found { YES, NO, UNKNOWN }

    private final GiteaRestClient gitea;
    private final GiteaConfig config;
    private final ObjectMapper json;

    public GiteaClient(@RestClient GiteaRestClient gitea, GiteaConfig config, ObjectMapper json) {
        this.gitea = gitea;
        this.config = config;
        this.json = json;
    }

    /** Thrown inside the retry loop for answers worth another attempt. */
    static final class TryAgain extends RuntimeException {
        TryAgain(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Merges PR {@code index} of {@code repo} at {@code headSha}. 200 → merged; 405 → asks
     * whether it is merged (204 → already merged), "Please try again later" → retried;
     * 409 → the head moved on; a timeout or lost connection → unknown (resolve with
     * {@link #isMerged}).
     */
    public Uni<MergeResult> merge(Context trace, String repo, int index, String headSha) {
        String[] r = split(repo);
        return Uni.createFrom().deferred(() -> call(trace, () -> gitea.merge(r[0], r[1], index, auth(),
                        new GiteaRestClient.MergeBody(config.mergeStyle(), headSha)))
                        .flatMap(response -> interpretMerge(trace, repo, index, response)))
                .onFailure(TryAgain.class).retry().withBackOff(config.backoff()).atMost(config.attempts())
                .onFailure(TryAgain.class).recoverWithItem(e -> new MergeResult(Merge.REFUSED,
                        "gave up after " + config.attempts() + " attempts: " + e.getMessage()))
                .onFailure().recoverWithItem(e -> new MergeResult(Merge.UNKNOWN, describe(e)));
    }

    private Uni<MergeResult> interpretMerge(Context trace, String repo, int index, Response response) {
        int status = response.getStatus();
        String message = message(response);
        if (status == 200) {
            return Uni.createFrom().item(new MergeResult(Merge.MERGED, "merged"));
        }
        if (status == 405) {
            return isMerged(trace, repo, index).map(found -> {
                if (found == Found.YES) {
                    return new MergeResult(Merge.ALREADY_MERGED, "already merged");
                }
                if (message.contains("Please try again later")) {
                    throw new TryAgain(message);
                }
                return new MergeResult(Merge.REFUSED, "405: " + message);
            });
        }
        if (status == 409) {
            return Uni.createFrom().item(new MergeResult(Merge.HEAD_OUT_OF_DATE, "409: " + message));
        }
        if (status >= 500) {
            return isMerged(trace, repo, index).map(found -> {
                if (found == Found.YES) {
                    return new MergeResult(Merge.MERGED, "merged (answered " + status + ")");
                }
                throw new TryAgain(status + ": " + message);
            });
        }
        return Uni.createFrom().item(new MergeResult(Merge.REFUSED, status + ": " + message));
    }

    /** GET …/pulls/{index}/merge: 204 merged, 404 not merged, anything else unknown. */
    public Uni<Found> isMerged(Context trace, String repo, int index) {
        String[] r = split(repo);
        return call(trace, () -> gitea.isMerged(r[0], r[1], index, auth())).map(response -> switch (response.getStatus()) {
            case 204 -> Found.YES;
            case 404 -> Found.NO;
            default -> Found.UNKNOWN;
        }).onFailure().recoverWithItem(Found.UNKNOWN);
    }

    /**
     * Dispatches {@code workflow} with the given inputs. 204 → YES (started); 4xx → NO (refused);
     * 5xx or no answer → UNKNOWN (look the run up by its idempotency key before any retry).
     */
    public Uni<Found> dispatch(Context trace, String repo, String workflow, Map<String, String> inputs) {
        String[] r = split(repo);
        return call(trace, () -> gitea.dispatch(r[0], r[1], workflow, auth(),
                        new GiteaRestClient.DispatchBody(config.ref(), inputs)))
                .map(response -> {
                    int status = response.getStatus();
                    if (status == 204 || status == 200 || status == 201) {
                        return Found.YES;
                    }
                    LOG.warnf("dispatch of %s on %s answered %d: %s", workflow, repo, status, message(response));
                    return status >= 500 ? Found.UNKNOWN : Found.NO;
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("dispatch of %s on %s: no answer (%s)", workflow, repo, describe(e));
                    return Found.UNKNOWN;
                });
    }

    /** Is there a workflow run whose title carries {@code key}? (The workflows set {@code run-name} to it.) */
    public Uni<Found> runExists(Context trace, String repo, String key) {
        String[] r = split(repo);
        return call(trace, () -> gitea.runs(r[0], r[1], "workflow_dispatch", 50, auth())).map(response -> {
            if (response.getStatus() != 200) {
                return Found.UNKNOWN;
            }
            JsonNode body = body(response).orElse(null);
            if (body == null || !body.has("workflow_runs")) {
                return Found.UNKNOWN;
            }
            for (JsonNode run : body.get("workflow_runs")) {
                if (run.path("display_title").asText("").contains(key)) {
                    return Found.YES;
                }
            }
            return Found.NO;
        }).onFailure().recoverWithItem(Found.UNKNOWN);
    }

    /**
     * 4xx/5xx come back as responses, not exceptions; the call is bounded by the configured timeout.
     * The request is made (and so its HTTP client span started) with {@code trace} current: each
     * call, a retry's too, is a child of the effect's span, whatever callback it runs in.
     */
    private Uni<Response> call(Context trace, Supplier<Uni<Response>> request) {
        return TransitionTracing.within(trace, request).onFailure(WebApplicationException.class)
                .recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .ifNoItem().after(config.timeout()).failWith(() -> new java.util.concurrent.TimeoutException(
                        "no answer from Gitea in " + config.timeout()));
    }

    private String message(Response response) {
        return body(response).map(b -> b.path("message").asText("")).orElse("");
    }

    private Optional<JsonNode> body(Response response) {
        try {
            if (!response.hasEntity()) {
                return Optional.empty();
            }
            String text = response.readEntity(String.class);
            return text == null || text.isBlank() ? Optional.empty() : Optional.of(json.readTree(text));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private String auth() {
        return config.token().map(t -> "token " + t).orElse(null);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String[] split(String repo) {
        int slash = repo.indexOf('/');
        if (slash <= 0 || slash == repo.length() - 1) {
            throw new IllegalArgumentException("repo must be owner/name, got " + repo);
        }
        return new String[] {repo.substring(0, slash), repo.substring(slash + 1)};
    }
}
