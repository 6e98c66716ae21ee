package dev.baton.e2e;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.baton.infra.LocalInfra;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.baton.e2e.PipelineDriver.awaitTrue;
import static dev.baton.e2e.TaskReads.entered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reaper-service as it ships, driven only by its own schedules (intervals shortened by its
 * environment, nothing calls a sweep): a job whose runner vanished is reaped, a job whose exit code
 * stood past the grace is finalised, a job whose runner came back under a new boot id is failed and
 * its stage rolled back, and a Plane drift is corrected by the reconciler.
 *
 * <p>The shipped agent-runner is stopped once the system is ready: the test itself is the runner
 * of these jobs, speaking the runner protocol to stage-service ({@code POST /runners},
 * {@code /jobs/pick}, {@code /jobs/{id}/exit}), so it can vanish or stop short of finalising at
 * the moment it chooses, or come back under a new boot id.
 * The drift comes after the runners' picks: its task's move to analysis queues a job no runner takes.
 * Last, a reaper replica dies between its claim of a job and the rollback it claimed for: stage-service's
 * own schedule follows the claim up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReaperSchedulesIT {

    static final Duration READY = Duration.ofSeconds(180);
    /** Tier 2's grace and Tier 3's ceiling, shortened so the run stays cheap. */
    static final Duration GRACE = Duration.ofSeconds(2);
    static final Duration MAX_RUNNING = Duration.ofSeconds(15);
    /** How long stage-service gives a job claim's winner to ask its transition itself. */
    static final Duration FOLLOWUP_GRACE = Duration.ofSeconds(3);
    /** Plane states the system maps its stages to ({@code BATON_PLANE_STATE_MAP}). */
    static final Map<String, String> PLANE_STATES = Map.of("created", "5a1c0e52-0000-4000-8000-000000000001",
            "analysis", "5a1c0e52-0000-4000-8000-000000000002", "brd-approval", "5a1c0e52-0000-4000-8000-000000000003");
    static final String PLANE_PROJECT = "9b0f3c6e-0000-4000-8000-0000000000aa";

    static BatonSystem system;
    static PipelineDriver stage;
    /** The job whose runner vanishes, taken first so its ceiling runs out while the other cases run. */
    static long vanishedJob;
    static long vanishedAt;

    @BeforeAll
    static void startTheSystemAndStopItsRunner() throws Exception {
        LocalInfra.configureLogging();
        Path root = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();
        StringBuilder stateMap = new StringBuilder();
        PLANE_STATES.forEach((stage, state) -> stateMap.append(stateMap.isEmpty() ? "" : ",").append(stage).append('=')
                .append(state));
        system = BatonSystem.start(root, root.resolve("e2e/target/reaper-logs"), Map.of(
                "BATON_REAPER_INTERVAL", "1s",
                "BATON_REAPER_FINALIZE_GRACE", GRACE.toSeconds() + "s",
                "BATON_REAPER_MAX_RUNNING", MAX_RUNNING.toSeconds() + "s",
                "BATON_RECONCILER_INTERVAL", "2s",
                "BATON_RECOVERY_INTERVAL", "1s",
                "BATON_RECOVERY_FOLLOWUP_GRACE", FOLLOWUP_GRACE.toSeconds() + "s",
                "BATON_PLANE_API_KEY", FakeOutside.PLANE_API_KEY,
                "BATON_PLANE_STATE_MAP", stateMap.toString()), READY);
        system.service("agent-runner").kill();
        stage = system.driver();
        vanishedJob = pickAsRunner("e2e-vanishing", taskInAnalysis("VANISH"), "analysis");
        vanishedAt = System.nanoTime();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (system != null) {
            system.close();
        }
    }

    /**
     * Tier 3 bounds a runner that never comes back: its job is reaped once it ran past
     * {@code BATON_REAPER_MAX_RUNNING}.
     */
    @Test
    @Order(4)
    void aJobWhoseRunnerVanishedIsReapedPastTheCeiling() throws Exception {
        awaitTrue(() -> !"running".equals(job(vanishedJob).get(0)), MAX_RUNNING.plusSeconds(45),
                "job " + vanishedJob + " reaped");
        List<String> reaped = job(vanishedJob);
        assertEquals("reaped", reaped.get(0), "the vanished runner's job: " + reaped);
        assertTrue(reaped.get(1).contains("tier 3"), reaped.get(1));
        Duration after = Duration.ofNanos(System.nanoTime() - vanishedAt);
        assertTrue(after.compareTo(MAX_RUNNING) >= 0, "not reaped before the ceiling: " + after);
    }

    @Test
    @Order(1)
    void aJobWhoseExitCodeStoodPastTheGraceIsFinalisedByTheReaper() throws Exception {
        String task = taskInAnalysis("GRACE");
        long job = pickAsRunner("e2e-silent", task, "analysis");
        // The runner reports its agent's exit, then never finalises (it died in its own finalisation).
        assertEquals(200, stage.post("/jobs/" + job + "/exit", "{\"code\":0,\"reason\":\"agent done\"}").status());

        stage.awaitStage(task, "brd-approval", Duration.ofSeconds(45));
        List<String> finalised = job(job);
        assertEquals("done", finalised.get(0), "the gates said advance: " + finalised);
        assertTrue(finalised.get(1).contains("tier 2"), finalised.get(1));
        assertEquals("reaper", lastActor(task), "the transition was the reaper's");
    }

    /**
     * Tier 1: the runner of an architecture job comes back under a new boot id before any exit (its
     * agent died with it). Architecture has a rollback, so stage-service does not requeue the job: the
     * reaper's schedule fails it and rolls the task back to analysis.
     */
    @Test
    @Order(2)
    void aJobWhoseRunnerRestartedIsFailedAndItsStageRolledBack() throws Exception {
        String task = taskInArchitecture("RESTART");
        long job = pickAsRunner("e2e-restarting", task, "architecture");

        register("e2e-restarting");

        stage.awaitStage(task, "analysis", Duration.ofSeconds(45));
        List<String> failed = job(job);
        assertEquals("failed", failed.get(0), "the restarted runner's job: " + failed);
        assertTrue(failed.get(1).contains("tier 1"), failed.get(1));
        assertEquals("reaper", lastActor(task), "the rollback was the reaper's");
    }

    @Test
    @Order(3)
    void aPlaneDriftIsCorrectedByTheReconcilersSchedule() throws Exception {
        String task = "DRIFT-" + suffix();
        String planeIssue = WebhookPayloads.uuid();
        // Plane shows the work item in Analysis; Baton has it at created (a lost webhook).
        WireMock plane = new WireMock("127.0.0.1", system.outside().port());
        plane.register(get(urlPathMatching("/api/v1/workspaces/[^/]+/projects/" + PLANE_PROJECT + "/work-items/"
                + planeIssue + "/?")).withHeader("X-API-Key", equalTo(FakeOutside.PLANE_API_KEY))
                .willReturn(okJson("""
                        {"id":"%s","name":"Drifted","sequence_id":7,"project":"%s",\
                        "state":{"id":"%s","name":"Analysis","color":"#f59e0b","group":"started"},\
                        "state_id":"%s","updated_at":"2026-12-01T07:00:00Z"}"""
                        .formatted(planeIssue, PLANE_PROJECT, PLANE_STATES.get("analysis"), PLANE_STATES.get("analysis")))));
        assertEquals(201, stage.post("/tasks", """
                {"id":"%s","repo":"%s","title":"Drift","stage":"created","planeProject":"%s","planeIssue":"%s"}"""
                .formatted(task, WebhookPayloads.REPO, PLANE_PROJECT, planeIssue)).status());

        stage.awaitStage(task, "analysis", Duration.ofSeconds(45));
        assertEquals("reconciler", lastActor(task), "the reconciler moved it");
    }

    /**
     * A reaper replica killed between its claim of a job and the rollback it claimed for. The test is
     * that replica: it sends the claim the reaper sends (naming the rollback), and dies — no
     * transition. The job is no longer running, so no reaper sweep sees it again; stage-service's
     * follow-up schedule asks the rollback on the reaper's behalf, a grace after the claim, once.
     */
    @Test
    @Order(5)
    void aReaperKilledBetweenItsClaimAndItsRollbackIsFollowedUpByStageService() throws Exception {
        String task = taskInArchitecture("CLAIMED");
        long job = pickAsRunner("e2e-claimed", task, "architecture");
        long claimedAt = System.nanoTime();
        assertEquals(200, stage.post("/jobs/" + job + "/claim", """
                {"expected":"running","status":"failed","reason":"tier 1: runner restarted",
                 "then":{"to":"analysis","actor":"reaper","requestId":"reaper-job-%d"}}""".formatted(job)).status());

        stage.awaitStage(task, "analysis", FOLLOWUP_GRACE.plusSeconds(30));
        Duration after = Duration.ofNanos(System.nanoTime() - claimedAt);
        assertTrue(after.compareTo(FOLLOWUP_GRACE) >= 0, "not before the claimant's grace: " + after);
        assertEquals("reaper", lastActor(task), "moved on the reaper's behalf");
        assertEquals(List.of("failed", "tier 1: runner restarted"), job(job));
        // Once: later sweeps find the task moved on (JobFollowupTest shows that on the database).
        assertEquals(1, entered(stage.get("/tasks/" + task).body(), "analysis", "reaper"), "moved once");
    }

    /** A task created over REST and moved created → analysis, which queues its analysis job. */
    private static String taskInAnalysis(String prefix) throws Exception {
        String task = prefix + "-" + suffix();
        assertEquals(201, stage.post("/tasks", """
                {"id":"%s","repo":"%s","title":"Reaper %s","stage":"created"}""".formatted(task, WebhookPayloads.REPO, task))
                .status());
        move(task, "created", "analysis");
        return task;
    }

    /** A task created over REST at brd-approval and moved to architecture (a stage with a rollback), which queues its job. */
    private static String taskInArchitecture(String prefix) throws Exception {
        String task = prefix + "-" + suffix();
        assertEquals(201, stage.post("/tasks", """
                {"id":"%s","repo":"%s","title":"Reaper %s","stage":"brd-approval"}"""
                .formatted(task, WebhookPayloads.REPO, task)).status());
        move(task, "brd-approval", "architecture");
        return task;
    }

    /** An operator's move, which queues the new stage's job. */
    private static void move(String task, String from, String to) throws Exception {
        assertEquals(200, stage.post("/tasks/" + task + "/transitions", """
                {"from":"%s","to":"%s","actor":"operator","reason":"reaper test","requestId":"%s"}"""
                .formatted(from, to, UUID.randomUUID())).status());
    }

    /** Registers as runner {@code runnerId} (a fresh boot) and takes {@code task}'s job of {@code jobStage}. */
    private static long pickAsRunner(String runnerId, String task, String jobStage) throws Exception {
        register(runnerId);
        // The tests run one after another and each takes its job at once: the oldest queued job of the stage is it.
        PipelineDriver.Answer picked = stage.post("/jobs/pick", """
                {"runnerId":"%s","stages":["%s"]}""".formatted(runnerId, jobStage));
        assertEquals(200, picked.status(), "a queued " + jobStage + " job");
        assertEquals(task, picked.body().path("taskId").asText(), "the job picked: " + picked.body());
        return picked.body().path("id").asLong();
    }

    /** Registers as runner {@code runnerId} under a fresh boot id. */
    private static void register(String runnerId) throws Exception {
        assertEquals(200, stage.post("/runners", """
                {"runnerId":"%s","bootId":"%s"}""".formatted(runnerId, UUID.randomUUID())).status());
    }

    /** The job's status and detail, read from stage-service's database. */
    private static List<String> job(long id) throws Exception {
        try (var connection = DriverManager.getConnection(system.jdbcUrl(), "postgres", "postgres");
             var query = connection.prepareStatement("SELECT status, coalesce(detail, '') FROM stage.job WHERE id = ?")) {
            query.setLong(1, id);
            try (var rows = query.executeQuery()) {
                rows.next();
                return List.of(rows.getString(1), rows.getString(2));
            }
        }
    }

    /** The actor of the task's latest stage change. */
    private static String lastActor(String task) throws Exception {
        try (var connection = DriverManager.getConnection(system.jdbcUrl(), "postgres", "postgres");
             var query = connection.prepareStatement(
                     "SELECT actor FROM stage.stage_history WHERE task_id = ? ORDER BY id DESC LIMIT 1")) {
            query.setString(1, task);
            try (var rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static String suffix() {
        return Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000));
    }
}
