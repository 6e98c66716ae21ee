package dev.baton.reaper.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.baton.reaper.config.AdminConfig;
import dev.baton.reaper.config.ReaperConfig;
import dev.baton.reaper.config.StageServiceConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The reaper's only way to stage-service: it asks, stage-service decides and writes.
 *
 * <p>Every answer comes back as a domain result, never as an exception, so one bad call never
 * ends a sweep. Reads (GET) are retried with backoff on 5xx and on no answer; writes are not:
 * a claim is a CAS whose lost response cannot be told from a loss, and a transition is asked
 * again by the next sweep (stage-service answers {@code already} to a repeat). The admin token
 * goes in a header and is never logged.
 */
@ApplicationScoped
public class StageServiceClient {

    private static final Logger LOG = Logger.getLogger(StageServiceClient.class);

    private final StageServiceRestClient restClient;
    private final StageServiceConfig config;
    private final AdminConfig admin;
    private final ReaperConfig reaper;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile Pipeline pipeline;
    private volatile Instant pipelineReadAt = Instant.MIN;

    public StageServiceClient(@RestClient StageServiceRestClient restClient, StageServiceConfig config,
                              AdminConfig admin, ReaperConfig reaper, ObjectMapper json, Clock clock) {
        this.restClient = restClient;
        this.config = config;
        this.admin = admin;
        this.reaper = reaper;
        this.json = json;
        this.clock = clock;
    }

    /** Thrown inside the retry loop for answers worth another attempt. */
    static final class TryAgain extends RuntimeException {
        TryAgain(String message) {
            super(message, null, false, false);
        }
    }

    /** The pipeline definition stage-service runs, as raw JSON. */
    public Uni<JsonNode> pipelineJson() {
        return read("GET /pipeline", restClient::pipeline, JsonNode.class).map(p -> p.orElse(null));
    }

    /** The pipeline, re-read at most every {@code baton.reaper.pipeline-ttl}; empty if unreadable. */
    public Uni<Optional<Pipeline>> pipeline() {
        Pipeline cached = pipeline;
        if (cached != null && clock.instant().isBefore(pipelineReadAt.plus(reaper.pipelineTtl()))) {
            return Uni.createFrom().item(Optional.of(cached));
        }
        return read("GET /pipeline", restClient::pipeline, Pipeline.class).invoke(read -> read.ifPresent(p -> {
            pipeline = p;
            pipelineReadAt = clock.instant();
        })).map(read -> read.or(() -> Optional.ofNullable(cached)));
    }

    /** {@code GET /jobs?status=running}; empty if stage-service could not be read. */
    public Uni<Optional<List<RunningJob>>> runningJobs() {
        return read("GET /jobs?status=running", () -> restClient.jobs("running"),
                TypeFactory.defaultInstance().constructCollectionType(List.class, RunningJob.class));
    }

    /** {@code GET /tasks/{id}/gates}, read-only; empty if it could not be read. */
    public Uni<Optional<GateVerdict>> gates(String taskId) {
        return read("GET /tasks/" + taskId + "/gates", () -> restClient.gates(taskId), GateVerdict.class);
    }

    /** {@code GET /tasks/{id}}: the task and its effect ledger. */
    public Uni<Optional<TaskView>> task(String taskId) {
        return read("GET /tasks/" + taskId, () -> restClient.task(taskId), TaskView.class);
    }

    /** {@code GET /tasks?active=true}: the tasks outside the terminal stages; empty if unreadable. */
    public Uni<Optional<List<ActiveTask>>> activeTasks() {
        return read("GET /tasks?active=true", () -> restClient.tasks(true),
                TypeFactory.defaultInstance().constructCollectionType(List.class, ActiveTask.class));
    }

    /** {@code GET /queue}. */
    public Uni<Optional<QueueSnapshot>> queue() {
        return read("GET /queue", restClient::queue, QueueSnapshot.class);
    }

    /**
     * Claim-before-act: the CAS running → {@code status}. Not retried (see the class comment).
     * {@code thenTo} (or null): the stage the winner then asks the task to move to, as {@code actor}
     * with {@code requestId}; stage-service writes it down with the claim and asks it itself if this
     * process dies before it does.
     */
    public Uni<ClaimResult> claim(long jobId, String status, String reason, String thenTo, String actor,
                                  String requestId) {
        StageServiceRestClient.Then then = thenTo == null ? null : new StageServiceRestClient.Then(thenTo, actor, requestId);
        return call(() -> restClient.claim(jobId, new StageServiceRestClient.ClaimBody("running", status, reason, then)))
                .map(response -> {
                    int code = response.getStatus();
                    JsonNode body = body(response);
                    String jobStatus = body.path("job").path("status").asText(null);
                    String claim = body.path("claim").asText("");
                    if (code == 200 && "won".equals(claim)) {
                        return new ClaimResult(ClaimResult.Outcome.WON, jobStatus, null);
                    }
                    if (code == 409 && "lost".equals(claim)) {
                        return new ClaimResult(ClaimResult.Outcome.LOST, jobStatus, null);
                    }
                    return new ClaimResult(ClaimResult.Outcome.UNKNOWN, jobStatus, code + " " + problem(body));
                })
                .onFailure().recoverWithItem(e -> new ClaimResult(ClaimResult.Outcome.UNKNOWN, null, describe(e)));
    }

    /** Asks for {@code from → to} as {@code actor}; every answer, including none, is a {@link TransitionAnswer}. */
    public Uni<TransitionAnswer> transition(String taskId, String from, String to, String actor, String reason,
                                            String requestId) {
        return call(() -> restClient.transition(taskId, new StageServiceRestClient.TransitionBody(from, to, actor,
                reason, requestId)))
                .map(response -> {
                    JsonNode body = body(response);
                    String outcome = body.path("outcome").asText(null);
                    if (outcome == null) {
                        return new TransitionAnswer(response.getStatus(),
                                response.getStatus() >= 500 ? "unanswered" : "rejected", problem(body));
                    }
                    String detail = body.has("owner") ? body.get("owner").toString()
                            : body.has("gates") ? body.get("gates").path("verdictKey").asText("")
                            : body.path("detail").asText(null);
                    return new TransitionAnswer(response.getStatus(), outcome, detail);
                })
                .onFailure().recoverWithItem(e -> new TransitionAnswer(0, "unanswered", describe(e)));
    }

    /** Records what the finalizer learned about a deploy; true on 204. */
    public Uni<Boolean> deployStatus(String taskId, String environment, String state) {
        return call(() -> restClient.deployStatus(taskId, new StageServiceRestClient.DeployStatusBody(environment,
                state)))
                .map(response -> {
                    if (response.getStatus() / 100 != 2) {
                        LOG.warnf("POST /tasks/%s/deploy-status answered %d: %s", taskId, response.getStatus(),
                                problem(body(response)));
                        return false;
                    }
                    return true;
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("POST /tasks/%s/deploy-status: no answer (%s)", taskId, describe(e));
                    return false;
                });
    }

    /** Force-releases the work item's lease with the admin token (Tier 3); stage-service alerts it. */
    public Uni<Released> releaseLease(String workItem) {
        Optional<String> token = admin.token().filter(t -> !t.isBlank());
        if (token.isEmpty()) {
            return Uni.createFrom().item(Released.NO_TOKEN);
        }
        return call(() -> restClient.releaseLease(workItem, "Bearer " + token.get()))
                .map(response -> switch (response.getStatus()) {
                    case 200 -> Released.RELEASED;
                    case 404 -> Released.NO_LEASE;
                    case 401, 403 -> Released.UNAUTHORIZED;
                    default -> Released.FAILED;
                })
                .onFailure().recoverWithItem(Released.FAILED);
    }

    /** Asks for this interval's turn of sweep {@code name}: one replica per interval is granted. */
    public Uni<SweepTurn> sweepTurn(String name, String holder, double intervalS) {
        return call(() -> restClient.sweep(name, new StageServiceRestClient.SweepBody(holder, intervalS)))
                .map(response -> {
                    int code = response.getStatus();
                    if (code == 200) {
                        return body(response).path("granted").asBoolean(false) ? SweepTurn.GRANTED : SweepTurn.TAKEN;
                    }
                    // 404/405 with no sweep route: an older stage-service. Sweeping anyway is safe.
                    return code == 404 || code == 405 ? SweepTurn.UNSUPPORTED : SweepTurn.UNANSWERED;
                })
                .onFailure().recoverWithItem(SweepTurn.UNANSWERED);
    }

    private <T> Uni<Optional<T>> read(String what, Supplier<Uni<Response>> request, Class<T> type) {
        return read(what, request, TypeFactory.defaultInstance().constructType(type));
    }

    private <T> Uni<Optional<T>> read(String what, Supplier<Uni<Response>> request,
                                      com.fasterxml.jackson.databind.JavaType type) {
        return Uni.createFrom().deferred(() -> call(request))
                .map(response -> {
                    if (response.getStatus() >= 500) {
                        throw new TryAgain(what + " answered " + response.getStatus());
                    }
                    return response;
                })
                .onFailure().retry().withBackOff(config.backoff()).atMost(Math.max(0, config.attempts() - 1))
                .map(response -> {
                    if (response.getStatus() != 200) {
                        LOG.warnf("%s answered %d: %s", what, response.getStatus(), problem(body(response)));
                        return Optional.<T>empty();
                    }
                    try {
                        return Optional.<T>of(json.readValue(text(response), type));
                    } catch (Exception e) {
                        LOG.warnf("%s: unreadable answer (%s)", what, describe(e));
                        return Optional.<T>empty();
                    }
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("%s: no usable answer (%s)", what, describe(e));
                    return Optional.empty();
                });
    }

    /** 4xx/5xx come back as responses, not exceptions; the call is bounded by the configured timeout. */
    private Uni<Response> call(Supplier<Uni<Response>> request) {
        return Uni.createFrom().deferred(request::get)
                .onFailure(WebApplicationException.class)
                .recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .ifNoItem().after(config.timeout()).failWith(() -> new TimeoutException(
                        "no answer from stage-service in " + config.timeout()));
    }

    private JsonNode body(Response response) {
        try {
            String text = text(response);
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }

    private static String text(Response response) {
        if (!response.hasEntity()) {
            return null;
        }
        return response.readEntity(String.class);
    }

    private static String problem(JsonNode body) {
        String detail = body.path("detail").asText("");
        return detail.isEmpty() ? body.path("title").asText("") : detail;
    }

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
