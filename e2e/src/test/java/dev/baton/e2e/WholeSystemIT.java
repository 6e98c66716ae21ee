package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.infra.LocalInfra;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.baton.e2e.PipelineDriver.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole system as it ships: the four PACKAGED services as separate processes on a real
 * PostgreSQL and a real Kafka broker, with the outside world (Gitea, Plane, Telegram) faked in
 * its wire format. Only what crosses a wire is used: webhooks in, the runner protocol, REST reads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WholeSystemIT {

    static final Duration READY = Duration.ofSeconds(180);
    static final Duration SOON = Duration.ofSeconds(60);
    static final String PLANE_PROJECT = "ORCH";

    static BatonSystem system;
    static FakeOutside outside;
    static PipelineDriver driver;

    @BeforeAll
    static void startTheSystem() throws Exception {
        LocalInfra.configureLogging();
        Path root = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();
        system = BatonSystem.start(root, root.resolve("e2e/target/e2e-logs"), Map.of(
                "BATON_GITEA_TIMEOUT", "60s",
                "BATON_RECOVERY_INTERVAL", "2s",
                "BATON_FINALIZER_INTERVAL", "2s",
                "BATON_REAPER_INTERVAL", "5s"), READY);
        outside = system.outside();
        driver = system.driver("e2e-runner");
        assertEquals(200, driver.registerRunner().status());
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void aWorkItemTravelsFromPlaneToDoneWithEveryEffectOnce() throws Exception {
        String item = toReview("0d5e6f70-1a2b-4c3d-8e9f-000000000001", 1, 21, new double[] {0.10}, new double[] {0.20},
                new double[] {1.00, 0.50});
        assertEquals("advanced", driver.work(item, "review", 0.30).body().path("transition").path("outcome").asText());
        driver.awaitStage(item, "testing", SOON);

        assertEquals(204, driver.post("/tasks/" + item + "/coverage", "{\"percent\":85.5}").status());
        assertEquals("deploy-staging", driver.work(item, "testing", 0.25).body().path("transition").path("stage")
                .asText());
        assertEquals(204, driver.post("/tasks/" + item + "/deploy-status",
                "{\"environment\":\"staging\",\"state\":\"success\"}").status());
        assertEquals("deploy", driver.work(item, "deploy-staging").body().path("transition").path("stage").asText());

        // The deploy finalizer (reaper-service) follows the run prod_deploy started, and finishes the task.
        JsonNode done = driver.awaitStage(item, "done", SOON);
        assertEquals("deploy-finalizer", last(done.path("history")).path("actor").asText());

        assertEquals(1, outside.mergeRequests(WebhookPayloads.REPO, 21), "one merge");
        assertEquals(1, outside.dispatches("image.yml"), "one image rebuild");
        assertEquals(1, outside.dispatches("deploy.yml"), "one production deploy");
        assertEquals(1, effects(done, "coverage_ratchet", "done"), "one ratchet");
        assertEquals(1, effects(done, "merge_pr", "done"));

        BigDecimal costs = new BigDecimal("2.35"); // 0.10 + 0.20 + 1.00 + 0.50 + 0.30 + 0.25
        // Every card lists "📦 Deployed" as a row; only the final one is AT it.
        awaitTrue(() -> card(item).map(text -> text.contains("Stage: <b>📦 Deployed</b>")).orElse(false),
                SOON, "the tracker card of " + item + " to be at Deployed; last: " + card(item));
        String card = card(item).orElseThrow();
        assertTrue(card.contains("Total: $" + costs), card);
        assertTrue(card.contains("✅ 📦 Deployed"), card);
        assertFalse(card.contains("🔄"), "no stage left in progress: " + card);

        JsonNode queue = driver.get("/queue").body();
        for (JsonNode lease : queue.path("transitionLease")) {
            assertFalse(item.equals(lease.path("workItem").asText()), "no lease left: " + queue);
        }
        for (JsonNode job : queue.path("jobs")) {
            assertFalse(item.equals(job.path("taskId").asText()) && "running".equals(job.path("status").asText()),
                    "no running job left: " + queue);
        }
    }

    @Test
    @Order(2)
    void aStageServiceKilledInsideTheMergeFinishesTheTransitionWithOneMerge() throws Exception {
        String item = toReview("0d5e6f70-1a2b-4c3d-8e9f-000000000002", 2, 22, new double[] {0.10}, new double[] {0.10},
                new double[] {0.10});
        long job = driver.pick(item, "review");
        driver.run(job, 0.30);

        // Gitea takes the merge at once but holds its answer: the process dies inside the effect.
        outside.holdMerges(Duration.ofSeconds(30));
        CompletableFuture<PipelineDriver.Answer> finalizing = CompletableFuture.supplyAsync(() -> {
            try {
                return driver.finalizeJob(job);
            } catch (Exception cutOff) {
                return null;
            }
        });
        awaitTrue(() -> outside.mergeRequests(WebhookPayloads.REPO, 22) == 1, SOON, "the merge request of " + item);
        JsonNode inside = driver.get("/tasks/" + item).body();
        assertEquals(1, effects(inside, "merge_pr", "started"), "the ledger says the merge started: " + inside);

        system.killAndRestart("stage-service", READY, () -> outside.holdMerges(Duration.ZERO));
        finalizing.join();

        JsonNode after = driver.awaitStage(item, "testing", SOON);
        assertEquals(1, outside.mergeRequests(WebhookPayloads.REPO, 22), "exactly one merge after the crash");
        assertEquals(1, effects(after, "merge_pr", "done"), after.toString());
        awaitTrue(() -> {
            for (JsonNode lease : driver.get("/queue").body().path("transitionLease")) {
                if (item.equals(lease.path("workItem").asText())) {
                    return false;
                }
            }
            return true;
        }, SOON, "the dead owner's lease of " + item + " to be gone");
    }

    /** Plane "created", then every stage up to review through Plane, the runner and Gitea. */
    private static String toReview(String planeId, int sequence, int pr, double[] analysis, double[] architecture,
                                   double[] development) throws Exception {
        String item = driver.planeCreated(planeId, PLANE_PROJECT, sequence, SOON);
        driver.planeStateChanged(planeId, PLANE_PROJECT, sequence, "Analysis");
        driver.awaitStage(item, "analysis", SOON);
        assertEquals("advanced", driver.work(item, "analysis", analysis).body().path("transition").path("outcome")
                .asText());
        // A person approves the BRD by moving the work item on in Plane.
        driver.planeStateChanged(planeId, PLANE_PROJECT, sequence, "Architecture");
        driver.awaitStage(item, "architecture", SOON);
        driver.work(item, "architecture", architecture);
        driver.awaitStage(item, "development", SOON);
        driver.giteaPullRequestOpened(item, pr);
        driver.awaitGate(item, "pr_open", SOON);
        driver.work(item, "development", development);
        driver.awaitStage(item, "review", SOON);
        driver.giteaStatus(item, "success");
        driver.awaitGate(item, "ci_green", SOON);
        return item;
    }

    private static Optional<String> card(String item) {
        return outside.messages(FakeOutside.TELEGRAM_CHAT).stream().filter(text -> text.contains(item)).reduce((a, b) -> b);
    }

    private static long effects(JsonNode task, String effect, String status) {
        long count = 0;
        for (JsonNode entry : task.path("effects")) {
            if (effect.equals(entry.path("effect").asText()) && status.equals(entry.path("status").asText())) {
                count++;
            }
        }
        return count;
    }

    private static JsonNode last(JsonNode array) {
        List<JsonNode> all = new ArrayList<>();
        array.forEach(all::add);
        return all.get(all.size() - 1);
    }
}
