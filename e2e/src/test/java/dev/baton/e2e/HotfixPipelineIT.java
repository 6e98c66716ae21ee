package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.infra.LocalInfra;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.baton.e2e.PipelineDriver.awaitTrue;
import static dev.baton.e2e.TaskReads.card;
import static dev.baton.e2e.TaskReads.effects;
import static dev.baton.e2e.TaskReads.entered;
import static dev.baton.e2e.TaskReads.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second pipeline, from its file alone: the five packaged services run
 * {@code e2e/src/test/resources/hotfix/pipeline.json} ({@code BATON_PIPELINE_FILE}) — five stages
 * named unlike the built-in ones, one effect ({@code merge_pr}), the {@code patch} and
 * {@code verify} stages on one card row ("Fixing"), a cancel stage called {@code dropped}, and each
 * stage's Plane state — with the agents of {@code hotfix/agents.json}. No code knows these names:
 * the Plane webhook's state name, the jobs, the reaper's rollback, the reconciler's Plane state id,
 * the Plane sync and the card's rows all come from the file.
 */
class HotfixPipelineIT {

    static final Duration READY = Duration.ofSeconds(180);
    static final Duration SOON = Duration.ofSeconds(60);
    static final Duration AGENTS = Duration.ofSeconds(150);
    static final String PROJECT = "HOT";
    static final String FIXED = "0d5e6f70-1a2b-4c3d-8e9f-00000000f001";
    static final String STUCK = "0d5e6f70-1a2b-4c3d-8e9f-00000000f002";

    static BatonSystem system;
    static FakeOutside outside;
    static PipelineDriver driver;

    @BeforeAll
    static void startTheSystemOnTheHotfixPipeline() throws Exception {
        LocalInfra.configureLogging();
        Path root = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();
        Path hotfix = root.resolve("e2e/src/test/resources/hotfix");
        system = BatonSystem.start(root, root.resolve("e2e/target/e2e-logs-hotfix"), Map.ofEntries(
                Map.entry("BATON_PIPELINE_FILE", hotfix.resolve("pipeline.json").toString()),
                Map.entry("BATON_AGENTS_FILE", hotfix.resolve("agents.json").toString()),
                Map.entry("BATON_PLANE_API_KEY", FakeOutside.PLANE_API_KEY),
                Map.entry("BATON_GITEA_TIMEOUT", "60s"),
                Map.entry("BATON_RECOVERY_INTERVAL", "2s"),
                Map.entry("BATON_FINALIZER_INTERVAL", "2s"),
                Map.entry("BATON_REAPER_INTERVAL", "2s"),
                // Tier 3 reaps the verify agent that waits for a CI that never reports.
                Map.entry("BATON_REAPER_MAX_RUNNING", "1m"),
                Map.entry("BATON_RECONCILER_INTERVAL", "2s"),
                Map.entry("BATON_RECONCILER_REQUESTS_PER_MINUTE", "60")), READY);
        outside = system.outside();
        outside.planeStateNames(Map.of("hf-state-reported", "Reported", "hf-state-patch", "Patching",
                "hf-state-verify", "Verifying", "hf-state-shipped", "Shipped", "hf-state-dropped", "Dropped"));
        driver = system.driver();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aHotfixTravelsTheSecondPipelineFromItsFileAlone() throws Exception {
        // Two work items at once: one is fixed and shipped, the other waits for a CI that never
        // reports, is reaped back to patch, and is finally dropped in Plane while no webhook says so.
        String fixed = patching(FIXED, 1);
        String stuck = patching(STUCK, 2);

        // fixed: the runner's patch agent opens the pull request; CI is green on its head, so the
        // verify agent approves at once and the finalize ships it through the one effect.
        PipelineDriver.PullRequest pr = driver.awaitPullRequest(outside.baseUrl(), WebhookPayloads.REPO,
                "baton/" + fixed, AGENTS);
        driver.giteaStatus(fixed, pr.headSha(), "success");
        JsonNode shipped = driver.awaitStage(fixed, "shipped", AGENTS);
        assertEquals(1, entered(shipped, "patch", "plane-webhook"), "moved to Patching in Plane: " + shipped);
        assertEquals(1, entered(shipped, "verify", "monitor"), shipped.toString());
        assertEquals(1, entered(shipped, "shipped", "monitor"), shipped.toString());
        assertEquals(1, outside.mergeRequests(WebhookPayloads.REPO, pr.number()), "the one effect ran once");
        assertEquals(1, effects(shipped, "merge_pr", "done"), shipped.toString());
        awaitTrue(() -> "hf-state-shipped".equals(outside.planeState(FIXED)), SOON,
                "the Plane sync to set the file's state id of shipped");
        awaitTrue(() -> card(outside, fixed).map(t -> t.contains("Stage: <b>Shipped</b>")).orElse(false), SOON,
                "the card of " + fixed + " at Shipped; last: " + card(outside, fixed));
        String done = card(outside, fixed).orElseThrow();
        assertEquals(List.of("✅ Reported", "✅ Fixing", "✅ Shipped"), rows(done), done);
        assertTrue(done.contains("Total: $1.06"), "patch 0.84 + verify 0.22: " + done);

        // stuck: at verify the card shows the group's row in progress, headed by the stage's own label.
        awaitTrue(() -> card(outside, stuck).map(t -> t.contains("Stage: <b>Verify</b>")).orElse(false), AGENTS,
                "the card of " + stuck + " at Verify; last: " + card(outside, stuck));
        assertEquals(List.of("✅ Reported", "🔄 Fixing", "⬜ Shipped"), rows(card(outside, stuck).orElseThrow()));
        // The reaper's Tier 3 takes the verify job past BATON_REAPER_MAX_RUNNING and asks the file's rollback.
        awaitTrue(() -> rolledBackByReaper(driver.get("/tasks/" + stuck).body()), AGENTS,
                "the reaper's rollback verify -> patch of " + stuck);
        // The runner patches again (a second commit on the same pull request) and verify waits again.
        awaitTrue(() -> entered(driver.get("/tasks/" + stuck).body(), "verify", "monitor") == 2, AGENTS,
                stuck + " back at verify");
        awaitTrue(() -> "hf-state-verify".equals(outside.planeState(STUCK)), SOON, "Plane to show Verifying");

        // Baton's own Plane syncs of these moves are over (a later one would write its state over the
        // person's move below, and the reconciler skips an item whose sync is pending or given up).
        awaitTrue(() -> "done".equals(planeSync(stuck)), SOON,
                () -> "the Plane sync of " + stuck + " to be done; last: " + planeSync(stuck));
        // A person drops the item in Plane and the webhook is lost: the reconciler reads the state id
        // and asks the file's cancel stage.
        outside.planeMoved(STUCK, "hf-state-dropped");
        JsonNode dropped = driver.awaitStage(stuck, "dropped", SOON);
        assertEquals("reconciler", last(dropped.path("history")).path("actor").asText(), dropped.toString());
        assertEquals("cancel", last(dropped.path("history")).path("kind").asText(), dropped.toString());
        assertEquals(0, effects(dropped, "merge_pr", "done"), "no effect on the way out: " + dropped);
        awaitTrue(() -> card(outside, stuck).map(t -> t.contains("Stage: <b>Dropped</b>")).orElse(false), SOON,
                "the card of " + stuck + " at Dropped; last: " + card(outside, stuck));
        String gone = card(outside, stuck).orElseThrow();
        assertEquals(List.of("⬜ Reported", "⬜ Fixing", "⬜ Shipped"), rows(gone), "the cancel stage has no row: " + gone);
    }

    /** Plane "created" (in Reported) and a person moving it to Patching: the file's Plane state name. */
    private static String patching(String planeId, int sequence) throws Exception {
        String item = driver.planeCreated(planeId, PROJECT, sequence, SOON);
        assertEquals("reported", driver.get("/tasks/" + item).body().path("task").path("stage").asText());
        outside.planeMoved(planeId, "hf-state-reported");
        driver.planeStateChanged(planeId, PROJECT, sequence, "Patching");
        driver.awaitTask(item, t -> !"reported".equals(t.path("stage").asText()), SOON);
        return item;
    }

    /** The status of the task's newest Plane sync, as the reconciler reads it ({@code GET /tasks?active=true}). */
    private static String planeSync(String task) {
        try {
            for (JsonNode t : driver.get("/tasks?active=true").body()) {
                if (task.equals(t.path("id").asText())) {
                    return t.path("planeSync").asText(null);
                }
            }
            return "(not active)";
        } catch (Exception e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static boolean rolledBackByReaper(JsonNode task) {
        for (JsonNode h : task.path("history")) {
            if ("reaper".equals(h.path("actor").asText()) && "verify".equals(h.path("from").asText())
                    && "patch".equals(h.path("to").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The card's stage rows: its lines that start with a row mark. */
    private static List<String> rows(String card) {
        return card.lines().filter(l -> l.startsWith("✅") || l.startsWith("🔄") || l.startsWith("⬜")).toList();
    }
}
