package dev.baton.stage.job;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.lease.LivenessRegistration;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.execute;
import static dev.baton.stage.StageApi.history;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The window claim-before-act leaves: a claimant (the reaper, a finalisation) killed after its
 * claim of a job and before the transition it then asks for. The claim names that transition
 * ({@code then}); {@link FollowupSweep} asks it on the claimant's behalf, once, and never while a
 * lease is held on the task.
 */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JobFollowupTest {

    static final Duration NOW = Duration.ZERO;

    @Inject
    FollowupSweep sweep;

    @Inject
    OtherOwners others;

    @Test
    void aReaperKilledBetweenItsClaimAndItsRollbackHasTheRollbackAskedForIt() {
        String task = newTaskId("FUP");
        long job = architectureJob(task);
        // What the reaper committed before it was killed: its Tier 1 claim, naming the rollback.
        claim(job, "failed", "analysis").then().statusCode(200).body("claim", equalTo("won"));
        assertEquals("architecture", stageOf(task));
        assertEquals(1, followups(task));

        sweep.sweep(NOW).await().atMost(Duration.ofSeconds(30));

        assertEquals("analysis", stageOf(task), "the follow-up asked the rollback");
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND from_stage = 'architecture' "
                + "AND to_stage = 'analysis' AND actor = 'reaper' AND request_id = 'reaper-job-" + job + "'", task),
                "as the reaper, with the reaper's request id");
        assertEquals(0, followups(task), "done, forgotten");

        // The reaper was not dead after all: its late transition finds the task moved.
        transitionAsReaper(task, job).then().body("outcome", equalTo("already"));
        sweep.sweep(NOW).await().atMost(Duration.ofSeconds(30));
        assertEquals(1, rollbacks(task), "moved once");
    }

    @Test
    void aClaimantThatMadeItsTransitionIsNotFollowedUp() {
        String task = newTaskId("FUPDONE");
        long job = architectureJob(task);
        claim(job, "failed", "analysis").then().statusCode(200);
        transitionAsReaper(task, job).then().statusCode(200).body("outcome", equalTo("advanced"));
        long moves = history(task);

        sweep.sweep(NOW).await().atMost(Duration.ofSeconds(30));

        assertEquals(0, followups(task), "its task left the job's stage: forgotten");
        assertEquals(moves, history(task), "without a call");
        assertEquals("analysis", stageOf(task));
    }

    /**
     * A lease on the task: a live owner is at work (or a dead one's in-doubt effect waits for its
     * decision). The follow-up is not asked while it stands, however many sweeps pass; once the
     * lease is gone it is.
     */
    @Test
    void noFollowUpWhileALeaseIsHeldOnTheTask() {
        String task = newTaskId("FUPLEASE");
        long job = architectureJob(task);
        claim(job, "failed", "analysis").then().statusCode(200);
        LivenessRegistration owner = others.register();
        others.acquire(task, owner, "monitor", "architecture", "development");

        for (int i = 0; i < 3; i++) {
            sweep.sweep(NOW).await().atMost(Duration.ofSeconds(30));
        }
        assertEquals("architecture", stageOf(task));
        assertEquals(0, count("SELECT coalesce(max(asks), 0) FROM stage.job_followup WHERE task_id = ?", task),
                "never asked while the lease stands");

        // The owner ends without moving the task (its own transition lost), releasing its lease.
        execute("DELETE FROM stage.transition_lease WHERE task_id = ?", task);
        owner.sever().await().atMost(Duration.ofSeconds(5));
        sweep.sweep(NOW).await().atMost(Duration.ofSeconds(30));
        assertEquals("analysis", stageOf(task));
        assertEquals(1, rollbacks(task));
    }

    /**
     * Replicas sweep at once, and a claimant that was only slow asks its own transition at the same
     * time: every task moves exactly once.
     */
    @Test
    void racingSweepsAndLateClaimantsMoveEachTaskOnce() throws Exception {
        int tasks = 12;
        int sweepers = 3;
        List<String> ids = new ArrayList<>();
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            String task = newTaskId("FUPRACE");
            long job = architectureJob(task);
            claim(job, "failed", "analysis").then().statusCode(200);
            ids.add(task);
            jobs.add(job);
        }
        CyclicBarrier start = new CyclicBarrier(sweepers + 1);
        ExecutorService pool = Executors.newFixedThreadPool(sweepers + 1);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int s = 0; s < sweepers; s++) {
                running.add(pool.submit(() -> {
                    start.await();
                    return sweep.sweep(NOW).await().atMost(Duration.ofSeconds(60));
                }));
            }
            running.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < tasks; i += 2) {
                    transitionAsReaper(ids.get(i), jobs.get(i));
                }
                return null;
            }));
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (String task : ids) {
            assertEquals("analysis", stageOf(task), task);
            assertEquals(1, rollbacks(task), task + " moved once");
            assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? "
                    + "AND payload->>'from' = 'architecture' AND payload->>'to' = 'analysis'", task),
                    task + ": one event");
        }
    }

    @Test
    void aClaimWithABadFollowUpIsRefusedAndWritesNothing() {
        String task = newTaskId("FUPBAD");
        long job = architectureJob(task);
        for (String then : List.of("{\"to\":\"moon\",\"actor\":\"reaper\",\"requestId\":\"r-1\"}",
                "{\"to\":\"analysis\",\"actor\":\"gremlin\",\"requestId\":\"r-1\"}",
                "{\"to\":\"analysis\",\"actor\":\"reaper\"}",
                "{\"actor\":\"reaper\",\"requestId\":\"r-1\"}")) {
            given().contentType(ContentType.JSON)
                    .body("{\"expected\":\"running\",\"status\":\"failed\",\"then\":" + then + "}")
                    .post("/jobs/" + job + "/claim").then().statusCode(400)
                    .contentType("application/problem+json").body("status", equalTo(400));
        }
        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'running'", task),
                "the claim was not made");
        assertEquals(0, followups(task));
    }

    /** A finalisation's claim names its transition too: a runner's finalize that died after the claim is followed up. */
    @Test
    void aFinalizeClaimNamesItsTransition() {
        String task = newTaskId("FUPFIN");
        long job = architectureJob(task);
        given().contentType(ContentType.JSON).body("{\"code\":0}").post("/jobs/" + job + "/exit").then().statusCode(200);
        given().post("/jobs/" + job + "/finalize").then().statusCode(200).body("transition.outcome", equalTo("advanced"));
        assertEquals(1, count("SELECT count(*) FROM stage.job_followup WHERE job_id = " + job
                + " AND actor = 'monitor' AND to_stage = 'development' AND request_id = 'job-" + job + "' AND task_id = ?", task));

        sweep.sweep(NOW).await().atMost(Duration.ofSeconds(30));
        assertEquals(0, followups(task), "its task moved: forgotten");
        assertEquals("development", stageOf(task));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND from_stage = 'architecture'",
                task));
    }

    /** A task moved by the operator to {@code architecture}, its job picked: the job a reaper or a finalisation claims. */
    private static long architectureJob(String task) {
        createTask(task, "acme/followup", "created");
        for (String[] step : new String[][] {{"created", "analysis"}, {"analysis", "brd-approval"},
                {"brd-approval", "architecture"}}) {
            transition(task, step[0], step[1], "operator").then().statusCode(200);
        }
        return new Runner("followup-" + task).pickJobOf(task, "architecture");
    }

    private static io.restassured.response.Response claim(long job, String status, String then) {
        return given().contentType(ContentType.JSON).body("""
                {"expected":"running","status":"%s","reason":"tier 1: runner restarted",
                 "then":{"to":"%s","actor":"reaper","requestId":"reaper-job-%d"}}""".formatted(status, then, job))
                .post("/jobs/" + job + "/claim");
    }

    private static io.restassured.response.Response transitionAsReaper(String task, long job) {
        return given().contentType(ContentType.JSON).body("""
                {"from":"architecture","to":"analysis","actor":"reaper","reason":"tier 1","requestId":"reaper-job-%d"}"""
                .formatted(job)).post("/tasks/" + task + "/transitions");
    }

    private static long followups(String task) {
        return count("SELECT count(*) FROM stage.job_followup WHERE task_id = ?", task);
    }

    private static long rollbacks(String task) {
        return count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND from_stage = 'architecture' "
                + "AND to_stage = 'analysis'", task);
    }
}
