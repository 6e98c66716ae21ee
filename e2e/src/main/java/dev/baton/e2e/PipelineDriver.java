package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.infra.fake.FakeOutside;
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
import java.util.function.Supplier;

/**
 * Plays the people and systems around Baton, over the wire only: Plane and Gitea sending signed
 * webhooks to the gateway (a person moving a work item, CI reporting a status), and reads of
 * stage-service and Gitea. The agents are run by the real agent-runner. The end-to-end run and
 * {@code ./baton demo} drive the same work item the same way through it.
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

    public PipelineDriver(String gateway, String stage, String planeSecret, String giteaSecret) {
        this.gateway = gateway;
        this.stage = stage;
        this.planeSecret = planeSecret;
        this.giteaSecret = giteaSecret;
    }

    /** A work item {@code identifier-sequence} created in Plane; returns its key once stage-service has the task. */
    public String planeCreated(String planeId, String identifier, int sequence, Duration timeout) throws Exception {
        String key = identifier + "-" + sequence;
        planeCreatedEvent(planeId, identifier, sequence);
        awaitTask(key, task -> true, timeout);
        return key;
    }

    /** Plane's "created" webhook only; a gateway that refuses it (503 without a broker) throws. */
    public void planeCreatedEvent(String planeId, String identifier, int sequence) throws Exception {
        plane(WebhookPayloads.planeV2Created(UUID.randomUUID().toString(), planeId, identifier, sequence));
    }

    /** One Plane delivery ({@code X-Plane-Delivery} and body as given), whatever the gateway answers: its answer. */
    public Answer planeDelivery(String delivery, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(gateway + "/webhooks/plane"))
                .header("Content-Type", "application/json")
                .header("X-Plane-Delivery", delivery)
                .header("X-Plane-Signature", WebhookPayloads.sign(planeSecret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** A person moved the work item to a Plane state (a stage's English label, e.g. {@code Analysis}). */
    public void planeStateChanged(String planeId, String identifier, int sequence, String stateName) throws Exception {
        plane(WebhookPayloads.planeV2StateChanged(UUID.randomUUID().toString(), planeId, identifier, sequence, "alice",
                stateName, "started"));
    }

    /** A pull request as Gitea lists it: the one the agent-runner opened for a work item's branch. */
    public record PullRequest(int number, String headSha) {
    }

    /**
     * Waits until Gitea ({@code GET /api/v1/repos/{repo}/pulls?state=open}, the real API) lists an
     * open pull request from {@code branch}: the agent-runner pushed the development agent's commit
     * and opened it.
     */
    public PullRequest awaitPullRequest(String giteaUrl, String repo, String branch, Duration timeout) throws Exception {
        PullRequest[] found = new PullRequest[1];
        awaitTrue(() -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(giteaUrl + "/api/v1/repos/"
                    + repo + "/pulls?state=open&limit=50")).timeout(Duration.ofSeconds(10))
                    // The fake checks credentials as Gitea does.
                    .header("Authorization", "token " + FakeOutside.GITEA_TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return false;
            }
            for (JsonNode pull : JSON.readTree(response.body())) {
                if (branch.equals(pull.path("head").path("ref").asText())) {
                    found[0] = new PullRequest(pull.path("number").asInt(), pull.path("head").path("sha").asText());
                    return true;
                }
            }
            return false;
        }, timeout, "an open pull request from " + branch + " in " + repo);
        return found[0];
    }

    /** Gitea: CI reported {@code state} for commit {@code sha} of the work item. */
    public void giteaStatus(String workItem, String sha, String state) throws Exception {
        gitea("status", WebhookPayloads.giteaStatus(sha, state, "ci/build", workItem + ": lease"));
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
        }, timeout, () -> "task " + workItem + " (last seen " + last[0] + ")");
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
        expect(202, planeDelivery(UUID.randomUUID().toString(), body));
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
        awaitTrue(check, timeout, () -> what);
    }

    /** As above, with a description read when the wait times out (what was last seen by then). */
    static void awaitTrue(Check check, Duration timeout, Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.test()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what.get());
            }
            Thread.sleep(200);
        }
    }
}
