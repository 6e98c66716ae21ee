package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.Topics;
import dev.baton.infra.LocalInfra;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;
import dev.baton.infra.test.KafkaTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.baton.e2e.PipelineDriver.awaitTrue;
import static dev.baton.e2e.TaskReads.card;
import static dev.baton.e2e.TaskReads.effects;
import static dev.baton.e2e.TaskReads.entered;
import static dev.baton.e2e.TaskReads.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole system as it ships: the five PACKAGED services as separate processes on a real
 * PostgreSQL and a real Kafka broker, with the outside world (Gitea with real git repositories,
 * Plane, Telegram) faked in its wire format. The agent-runner runs the example agents of
 * {@code agents/agents.json} as real processes. Only what crosses a wire is used: webhooks in
 * (a person in Plane, CI in Gitea), REST reads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WholeSystemIT {

    static final Duration READY = Duration.ofSeconds(180);
    static final Duration SOON = Duration.ofSeconds(60);
    /** Agents run for real: a clone, a process and the reports per stage, on two shared cores. */
    static final Duration AGENTS = Duration.ofSeconds(180);
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
        driver = system.driver();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void aWorkItemTravelsFromPlaneToDoneWithTheRealRunnerAndEveryEffectOnce() throws Exception {
        String item = toReview("0d5e6f70-1a2b-4c3d-8e9f-000000000001", 1);

        // The review agent approves once CI is green; testing reports coverage; staging reports healthy;
        // the deploy finalizer (reaper-service) follows the run prod_deploy started, and finishes the task.
        JsonNode done = driver.awaitStage(item, "done", AGENTS);
        assertEquals("deploy-finalizer", last(done.path("history")).path("actor").asText());
        for (String stage : List.of("brd-approval", "review", "testing", "deploy-staging", "deploy")) {
            assertEquals(1, entered(done, stage, "monitor"), stage + " entered once, by the runner's finalize: " + done);
        }

        int pr = outside.pullRequests(WebhookPayloads.REPO).stream()
                .filter(p -> ("baton/" + item).equals(((Map<?, ?>) p.get("head")).get("ref")))
                .mapToInt(p -> (Integer) p.get("number")).findFirst().orElseThrow();
        assertEquals(1, outside.mergeRequests(WebhookPayloads.REPO, pr), "one merge");
        assertEquals(1, outside.dispatches("image.yml"), "one image rebuild");
        assertEquals(1, outside.dispatches("deploy.yml"), "one production deploy");
        assertEquals(1, effects(done, "coverage_ratchet", "done"), "one ratchet");
        assertEquals(1, effects(done, "merge_pr", "done"));
        assertEquals(2, outside.git().commits(WebhookPayloads.REPO, "baton/" + item),
                "the development agent's commit, pushed by the runner");

        // The example agents' costs: 0.12 + 0.31 + 0.84 + 0.22 + 0.18 + 0.05.
        BigDecimal costs = new BigDecimal("1.72");
        awaitTrue(() -> card(outside, item).map(text -> text.contains("Stage: <b>📦 Deployed</b>")).orElse(false),
                SOON, "the tracker card of " + item + " to be at Deployed; last: " + card(outside, item));
        String card = card(outside, item).orElseThrow();
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
        // Gitea takes the merge at once but holds its answer: the process dies inside the effect.
        outside.holdMerges(Duration.ofSeconds(30));
        String item = toReview("0d5e6f70-1a2b-4c3d-8e9f-000000000002", 2);
        int pr = pullRequestOf(item);
        awaitTrue(() -> outside.mergeRequests(WebhookPayloads.REPO, pr) == 1, AGENTS, "the merge request of " + item);
        JsonNode inside = driver.get("/tasks/" + item).body();
        assertEquals(1, effects(inside, "merge_pr", "started"), "the ledger says the merge started: " + inside);

        // The runner's finalize is cut off with the process; it asks again until the new one answers.
        system.killAndRestart("stage-service", READY, () -> outside.holdMerges(Duration.ZERO));

        awaitTrue(() -> entered(driver.get("/tasks/" + item).body(), "testing", null) == 1, AGENTS,
                item + " to reach testing");
        JsonNode after = driver.get("/tasks/" + item).body();
        assertEquals(1, outside.mergeRequests(WebhookPayloads.REPO, pr), "exactly one merge after the crash");
        assertEquals(1, effects(after, "merge_pr", "done"), after.toString());
        awaitTrue(() -> {
            for (JsonNode lease : driver.get("/queue").body().path("transitionLease")) {
                if (item.equals(lease.path("workItem").asText())) {
                    return false;
                }
            }
            return true;
        }, SOON, "the dead owner's lease of " + item + " to be gone");

        // The restarted stage-service reclaimed the dead owner's lease: its own LeaseReclaimed alert
        // crossed the outbox and baton.alerts, and the notifier made it one Telegram message.
        awaitTrue(() -> !reclaimedAlerts(item).isEmpty(), SOON, "the LeaseReclaimed alert of " + item);
        String alert = reclaimedAlerts(item).get(0);
        assertTrue(alert.contains("review → testing") && alert.contains("monitor@"), "every field rendered: " + alert);
        // Sentinel: one more alert for the same work item (same partition, after it); once its message is
        // in the chat, a second LeaseReclaimed message would be there too.
        String sentinel = "E2eSentinel" + Math.abs(item.hashCode());
        new KafkaTestClient(system.kafkaBootstrap()).send(Topics.ALERTS, item, """
                {"eventId":"%s","aggregateType":"task","aggregateId":"%s","eventType":"%s",
                 "occurredAt":"2026-12-01T04:00:00Z","payload":{}}""".formatted(UUID.randomUUID(), item, sentinel));
        awaitTrue(() -> outside.messages(FakeOutside.TELEGRAM_CHAT).stream().anyMatch(t -> t.contains(sentinel)), SOON,
                "the sentinel alert of " + item);
        assertEquals(1, reclaimedAlerts(item).size(), "one message for the one reclaim: " + reclaimedAlerts(item));
    }

    private static List<String> reclaimedAlerts(String item) {
        return outside.messages(FakeOutside.TELEGRAM_CHAT).stream()
                .filter(text -> text.contains(item + ": transition lease reclaimed")).toList();
    }

    /**
     * Plane "created", Analysis (the runner runs it), the BRD approved in Plane (Architecture), the
     * runner through architecture and development (commit, push, pull request), and CI green on the
     * pushed head: the review agent is then free to approve.
     */
    private static String toReview(String planeId, int sequence) throws Exception {
        String item = driver.planeCreated(planeId, PLANE_PROJECT, sequence, SOON);
        driver.planeStateChanged(planeId, PLANE_PROJECT, sequence, "Analysis");
        driver.awaitStage(item, "brd-approval", AGENTS);
        // A person approves the BRD by moving the work item on in Plane.
        driver.planeStateChanged(planeId, PLANE_PROJECT, sequence, "Architecture");
        PipelineDriver.PullRequest pr = driver.awaitPullRequest(outside.baseUrl(), WebhookPayloads.REPO,
                "baton/" + item, AGENTS);
        driver.giteaStatus(item, pr.headSha(), "success");
        return item;
    }

    private static int pullRequestOf(String item) throws Exception {
        return driver.awaitPullRequest(outside.baseUrl(), WebhookPayloads.REPO, "baton/" + item, AGENTS).number();
    }
}
