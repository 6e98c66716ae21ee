package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.infra.fake.WebhookPayloads;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Plays everyone around Baton, over the wire only: Plane and Gitea sending signed webhooks to the
 * gateway, and an agent runner speaking the runner protocol to stage-service. The end-to-end run
 * and {@code ./baton demo} drive the same work item the same way through it.
 */
public final class PipelineDriver {

    /** A stage-service answer: status code and JSON body (a JSON null when there was none). */
    public record Answer(int status, JsonNode body) {

        public String text(String field) {
            return body.path(field).asText(null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String gateway;
    private final String stage;
    private final String planeSecret;
    private final String giteaSecret;
    private final String runnerId;

    public PipelineDriver(String gateway, String stage, String planeSecret, String giteaSecret, String runnerId) {
        this.gateway = gateway;
        this.stage = stage;
        this.planeSecret = planeSecret;
        this.giteaSecret = giteaSecret;
        this.runnerId = runnerId;
    }

    /** A work item {@code identifier-sequence} created in Plane; returns its key once stage-service has the task. */
    public String planeCreated(String planeId, String identifier, int sequence, Duration timeout) throws Exception {
        String key = identifier + "-" + sequence;
        plane(WebhookPayloads.planeV2Created(UUID.randomUUID().toString(), planeId, identifier, sequence));
        awaitTask(key, task -> true, timeout);
        return key;
    }

    /** A person moved the work item to a Plane state (a stage's English label, e.g. {@code Analysis}). */
    public void planeStateChanged(String planeId, String identifier, int sequence, String stateName) throws Exception {
        plane(WebhookPayloads.planeV2StateChanged(UUID.randomUUID().toString(), planeId, identifier, sequence, "alice",
                stateName, "started"));
    }

    /** Gitea: pull request {@code number} opened from a branch named after the work item. */
    public void giteaPullRequestOpened(String workItem, int number) throws Exception {
        gitea("pull_request", WebhookPayloads.giteaPullRequest(number, "opened", false, "feature/" + workItem + "-lease",
                workItem + ": make transitions exactly-once", "alice"));
    }

    /** Gitea: CI reported {@code state} for the pull request's head commit. */
    public void giteaStatus(String workItem, String state) throws Exception {
        gitea("status", WebhookPayloads.giteaStatus(WebhookPayloads.HEAD_SHA, state, "ci/build", workItem + ": lease"));
    }

    public Answer registerRunner() throws Exception {
        return post("/runners", "{\"runnerId\":\"%s\",\"bootId\":\"%s\"}".formatted(runnerId, UUID.randomUUID()));
    }

    /** Takes the queued job of {@code stage}; fails unless it is {@code workItem}'s. */
    public long pick(String workItem, String stage) throws Exception {
        Answer picked = post("/jobs/pick", "{\"runnerId\":\"%s\",\"stages\":[\"%s\"]}".formatted(runnerId, stage));
        if (picked.status() != 200 || !workItem.equals(picked.text("taskId"))) {
            throw new IllegalStateException("expected the " + stage + " job of " + workItem + ", got " + picked);
        }
        return picked.body().path("id").asLong();
    }

    /** One agent run per cost, then exit code 0: what a runner reports before its own finalisation. */
    public void run(long job, double... costs) throws Exception {
        int attempt = 1;
        for (double cost : costs) {
            expect(201, post("/jobs/" + job + "/runs", """
                    {"agent":"coder","model":"model-%d","effort":"high","attempt":%d,"costUsd":%s,\
                    "tokensIn":1200,"tokensOut":300}""".formatted(attempt, attempt, cost)));
            attempt++;
        }
        expect(200, post("/jobs/" + job + "/exit", "{\"code\":0}"));
    }

    /** The runner's finalisation is done: claim the job's end and ask for the transition as {@code monitor}. */
    public Answer finalizeJob(long job) throws Exception {
        return post("/jobs/" + job + "/finalize", "");
    }

    /** {@link #pick}, {@link #run} and {@link #finalizeJob} of one stage. */
    public Answer work(String workItem, String stage, double... costs) throws Exception {
        long job = pick(workItem, stage);
        run(job, costs);
        return finalizeJob(job);
    }

    /** Waits until the named gate of the task's current stage passes (webhooks arrive through Kafka). */
    public void awaitGate(String workItem, String gate, Duration timeout) throws Exception {
        awaitTrue(() -> {
            JsonNode checks = get("/tasks/" + workItem + "/gates").body().path("checks");
            for (JsonNode check : checks) {
                if (gate.equals(check.path("name").asText()) && check.path("passed").asBoolean()) {
                    return true;
                }
            }
            return false;
        }, timeout, "gate " + gate + " of " + workItem);
    }

    /** Waits until {@code GET /tasks/{id}} answers and its task matches. */
    public JsonNode awaitTask(String workItem, Predicate<JsonNode> until, Duration timeout) throws Exception {
        JsonNode[] last = new JsonNode[1];
        awaitTrue(() -> {
            Answer answer = get("/tasks/" + workItem);
            last[0] = answer.body();
            return answer.status() == 200 && until.test(answer.body().path("task"));
        }, timeout, "task " + workItem + " (last seen " + last[0] + ")");
        return last[0];
    }

    public JsonNode awaitStage(String workItem, String stage, Duration timeout) throws Exception {
        return awaitTask(workItem, task -> stage.equals(task.path("stage").asText()), timeout);
    }

    public Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stage + path)).GET());
    }

    public Answer post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stage + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private void plane(String body) throws Exception {
        expect(202, send(HttpRequest.newBuilder(URI.create(gateway + "/webhooks/plane"))
                .header("Content-Type", "application/json")
                .header("X-Plane-Delivery", UUID.randomUUID().toString())
                .header("X-Plane-Signature", WebhookPayloads.sign(planeSecret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))));
    }

    private void gitea(String event, String body) throws Exception {
        expect(202, send(HttpRequest.newBuilder(URI.create(gateway + "/webhooks/gitea"))
                .header("Content-Type", "application/json")
                .header("X-Gitea-Event", event).header("X-Gitea-Event-Type", event)
                .header("X-Gitea-Delivery", UUID.randomUUID().toString())
                .header("X-Gitea-Signature", WebhookPayloads.sign(giteaSecret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))));
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        return new Answer(response.statusCode(), body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body));
    }

    private static void expect(int status, Answer answer) {
        if (answer.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + answer);
        }
    }

    interface Check {
        boolean test() throws Exception;
    }

    static void awaitTrue(Check check, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.test()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
