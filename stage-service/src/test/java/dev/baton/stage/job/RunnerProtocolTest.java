package dev.baton.stage.job;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.lease.LivenessRegistration;
import jakarta.inject.Inject;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.drainQueue;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner protocol's concurrency and its refusals. */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RunnerProtocolTest {

    static final int ROUNDS = 3;
    static final int JOBS = 30;
    static final int PICKERS = 4;
    static final Pattern JOB = Pattern.compile("\"id\":(\\d+),\"taskId\":\"([^\"]+)\"");

    @TestHTTPResource("/")
    URL base;

    @Inject
    OtherOwners others;

    @BeforeEach
    void emptyQueue() {
        drainQueue();
    }

    @Test
    void concurrentRunnersNeverGetTheSameJob() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(PICKERS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Set<String> ours = new HashSet<>();
                for (int i = 0; i < JOBS; i++) {
                    String task = newTaskId("PICK");
                    createTask(task, "acme/pick", "created");
                    transition(task, "created", "analysis", "operator").then().statusCode(200);
                    ours.add(task);
                }
                List<String> runners = new ArrayList<>();
                for (int r = 0; r < PICKERS; r++) {
                    Runner runner = new Runner("picker-" + round + "-" + r);
                    runners.add(runner.id);
                }
                ConcurrentLinkedQueue<String> picked = new ConcurrentLinkedQueue<>();
                CyclicBarrier start = new CyclicBarrier(PICKERS);
                List<Future<?>> done = new ArrayList<>();
                for (String runner : runners) {
                    done.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        HttpRequest pick = HttpRequest.newBuilder(URI.create(base + "jobs/pick"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"runnerId\":\"" + runner + "\",\"stages\":[\"analysis\"]}"))
                                .build();
                        for (int attempt = 0; attempt < JOBS * 4; attempt++) {
                            HttpResponse<String> answer = http.send(pick, HttpResponse.BodyHandlers.ofString());
                            if (answer.statusCode() == 204) {
                                return null;
                            }
                            Matcher m = JOB.matcher(answer.body());
                            assertTrue(m.find(), answer.body());
                            picked.add(m.group(1) + " " + m.group(2));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                List<String> jobIds = picked.stream().map(p -> p.split(" ")[0]).toList();
                assertEquals(jobIds.size(), new HashSet<>(jobIds).size(), "a job was handed out twice: " + picked);
                Set<String> pickedTasks = new HashSet<>();
                picked.forEach(p -> pickedTasks.add(p.split(" ")[1]));
                assertTrue(pickedTasks.containsAll(ours), "every queued job was picked");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badInputOnEveryEndpointIsRefusedAndWritesNothing() {
        String task = newTaskId("RBAD");
        createTask(task, "acme/bad", "created");
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        Runner runner = new Runner("bad-" + task);
        long job = ((Number) runner.pick("analysis").path("id")).longValue();

        refused(given().contentType(ContentType.JSON).body("{\"runnerId\":\"x\"}").post("/runners"), 400);
        refused(given().contentType(ContentType.JSON).body("{oops").post("/runners"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"runnerId\":\"never-registered\"}").post("/jobs/pick"),
                409);
        refused(given().contentType(ContentType.JSON).body("{\"agent\":\"a\",\"costUsd\":-1}")
                .post("/jobs/" + job + "/runs"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"agent\":\"a\"}").post("/jobs/999999999/runs"), 404);
        refused(given().contentType(ContentType.JSON).body("{}").post("/jobs/" + job + "/exit"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"expected\":\"running\",\"status\":\"exploded\"}")
                .post("/jobs/" + job + "/claim"), 400);
        refused(given().post("/jobs/999999999/finalize"), 404);
        refused(given().get("/jobs?status=queued"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"number\":1,\"headSha\":\"not-a-sha\"}")
                .post("/tasks/" + task + "/pull-request"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"percent\":101}").post("/tasks/" + task + "/coverage"),
                400);
        refused(given().contentType(ContentType.JSON).body("{\"environment\":\"moon\",\"state\":\"success\"}")
                .post("/tasks/" + task + "/deploy-status"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"by\":\"pm\"}").post("/tasks/NOPE-3/approval"), 404);
        refused(given().contentType(ContentType.JSON)
                .body("{\"repo\":\"a/b\",\"sha\":\"abcdef1\",\"context\":\"ci\",\"state\":\"green\"}")
                .post("/statuses"), 400);
        refused(given().contentType(ContentType.JSON).body("{\"holder\":\"h\",\"intervalS\":10}")
                .post("/sweeps/Bad Name/claim"), 400);

        assertEquals(0, count("SELECT count(*) FROM stage.agent_run WHERE task_id = ?", task));
        assertEquals(0, count("SELECT count(*) FROM stage.task_facts WHERE task_id = ?", task));
        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'running' "
                + "AND exit_code IS NULL", task));
    }

    @Test
    void exitIsRecordedOnceAndClaimsAreWonOnce() {
        String task = newTaskId("CLAIM");
        createTask(task, "acme/claim", "created");
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        long job = ((Number) new Runner("claimer-" + task).pick("analysis").path("id")).longValue();

        given().contentType(ContentType.JSON).body("{\"code\":3}").post("/jobs/" + job + "/exit").then()
                .statusCode(200).body("exitCode", equalTo(3));
        given().contentType(ContentType.JSON).body("{\"code\":3}").post("/jobs/" + job + "/exit").then()
                .statusCode(200);
        given().contentType(ContentType.JSON).body("{\"code\":0}").post("/jobs/" + job + "/exit").then()
                .statusCode(409).contentType("application/problem+json");
        given().get("/jobs?status=running").then().statusCode(200)
                .body("find { it.id == %d }.exitRecorded".formatted(job), equalTo(true))
                .body("find { it.id == %d }.runnerRestarted".formatted(job), equalTo(false));

        given().contentType(ContentType.JSON).body("{\"expected\":\"running\",\"status\":\"failed\"}")
                .post("/jobs/" + job + "/claim").then().statusCode(200).body("claim", equalTo("won"));
        given().contentType(ContentType.JSON).body("{\"expected\":\"running\",\"status\":\"done\"}")
                .post("/jobs/" + job + "/claim").then().statusCode(409).body("claim", equalTo("lost"))
                .body("job.status", equalTo("failed"));
        given().post("/jobs/" + job + "/finalize").then().statusCode(409).body("claim", equalTo("lost"));
        assertEquals("analysis", dev.baton.stage.StageApi.stageOf(task), "a lost claim moves nothing");
    }

    /**
     * A finalize whose replica was SIGKILLed between its claim and its transition (found by a chaos
     * run: the task stayed at its stage for good): the runner, which got no answer, asks again;
     * that call loses the claim to the dead one's, and asks for the transition itself, once.
     */
    @Test
    void aFinalizeAskedAgainAfterItsClaimDiedBeforeItsTransitionMovesTheTaskOnce() {
        String task = newTaskId("REFIN");
        createTask(task, "acme/claim", "created");
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        long job = ((Number) new Runner("refinalizer-" + task).pick("analysis").path("id")).longValue();
        given().contentType(ContentType.JSON).body("{\"code\":0}").post("/jobs/" + job + "/exit").then()
                .statusCode(200);
        // What the first finalize committed before its process died: the claim, as a finalize claims an advance.
        given().contentType(ContentType.JSON).body("{\"expected\":\"running\",\"status\":\"done\"}")
                .post("/jobs/" + job + "/claim").then().statusCode(200).body("claim", equalTo("won"));
        assertEquals("analysis", dev.baton.stage.StageApi.stageOf(task));

        String target = given().post("/jobs/" + job + "/finalize").then().statusCode(409)
                .body("claim", equalTo("lost")).body("transition.outcome", equalTo("advanced"))
                .extract().path("gates.target");
        assertEquals(target, dev.baton.stage.StageApi.stageOf(task), "the runner's second finalize moved the task");

        given().post("/jobs/" + job + "/finalize").then().statusCode(409).body("claim", equalTo("lost"));
        assertEquals(target, dev.baton.stage.StageApi.stageOf(task));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND from_stage = 'analysis'",
                task), "moved once");
    }

    /**
     * The contract reaper-service's tests fake (reaper-service/src/test/.../StageServiceFake):
     * every field its client reads is in the real answers, with the same name and JSON type.
     */
    @Test
    void theReapersViewOfRunningJobsMatchesTheRealApi() {
        String task = newTaskId("CONTRACT");
        createTask(task, "acme/contract", "created");
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        long job = ((Number) new Runner("contract-" + task).pick("analysis").path("id")).longValue();
        given().contentType(ContentType.JSON).body("{\"code\":0}").post("/jobs/" + job + "/exit").then().statusCode(200);
        LivenessRegistration owner = others.register();
        long token = others.acquire(task, owner, "monitor", "analysis", "brd-approval");

        String running = "find { it.id == %d }".formatted(job);
        given().get("/jobs?status=running").then().statusCode(200)
                .body(running + ".taskId", equalTo(task))
                .body(running + ".stage", equalTo("analysis"))
                .body(running + ".taskStage", equalTo("analysis"))
                .body(running + ".runnerId", equalTo("contract-" + task))
                .body(running + ".runnerBootId", notNullValue())
                .body(running + ".runnerCurrentBootId", notNullValue())
                .body(running + ".runnerRestarted", equalTo(false))
                .body(running + ".ageS", greaterThanOrEqualTo(0))
                .body(running + ".exitCode", equalTo(0))
                .body(running + ".exitRecorded", equalTo(true))
                .body(running + ".finishedAgeS", greaterThanOrEqualTo(0))
                .body(running + ".lease.token", equalTo((int) token))
                .body(running + ".lease.ownerActor", equalTo("monitor"))
                .body(running + ".lease.ownerInstance", equalTo(owner.identity().bootId().toString()))
                .body(running + ".lease.from", equalTo("analysis"))
                .body(running + ".lease.to", equalTo("brd-approval"))
                .body(running + ".lease.live", equalTo(true));
        given().get("/tasks/" + task + "/gates").then().statusCode(200)
                .body("taskId", equalTo(task)).body("stage", equalTo("analysis")).body("verdict", equalTo("advance"))
                .body("target", equalTo("brd-approval")).body("verdictKey", equalTo("advance"))
                .body("failed", empty());
        transition(task, "analysis", "brd-approval", "reaper").then().statusCode(409)
                .body("outcome", equalTo("deferred")).body("detail", notNullValue());
        given().contentType(ContentType.JSON).body("{\"expected\":\"running\",\"status\":\"done\"}")
                .post("/jobs/" + job + "/claim").then().statusCode(200)
                .body("claim", equalTo("won")).body("job.status", equalTo("done"));
        given().contentType(ContentType.JSON).body("{\"holder\":\"r1\",\"intervalS\":30}")
                .post("/sweeps/contract-" + job + "/claim").then().statusCode(200)
                .body("granted", equalTo(true)).body("holder", equalTo("r1"));
        owner.close().await().atMost(java.time.Duration.ofSeconds(5));
    }

    @Test
    void aRunnerRegisteringAgainRequeuesItsUnfinishedJobsOnceAndNoOneElses() {
        String lost = newTaskId("REQ");
        String exited = newTaskId("REQ");
        String others = newTaskId("REQ");
        String rollbackable = newTaskId("REQ");
        for (String task : List.of(lost, exited, others)) {
            createTask(task, "acme/requeue", "created");
            transition(task, "created", "analysis", "operator").then().statusCode(200);
        }
        createTask(rollbackable, "acme/requeue", "brd-approval");
        transition(rollbackable, "brd-approval", "architecture", "operator").then().statusCode(200);
        Runner restarting = new Runner("restarting-" + lost);
        Runner other = new Runner("other-" + lost);
        long lostJob = pickFor(restarting, lost);
        long exitedJob = pickFor(restarting, exited);
        long othersJob = pickFor(other, others);
        restarting.pickJobOf(rollbackable, "architecture");
        given().contentType(ContentType.JSON).body("{\"code\":0}").post("/jobs/" + exitedJob + "/exit").then()
                .statusCode(200);

        restarting.register();
        restarting.register();

        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'queued' "
                + "AND detail LIKE 'requeued: runner % restarted'", lost), "the job without an exit is queued again");
        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ?", lost), "the same job, not a new one");
        assertEquals(2, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = 'JobQueued'",
                lost), "one JobQueued when the stage was entered, one for the requeue, none for the second register");
        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'running'", exited),
                "an exit was recorded: finalisation (or the reaper's Tier 2) finishes it, no requeue");
        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'running'", others),
                "another runner's job is untouched");
        assertEquals(1, count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'running'", rollbackable),
                "architecture has a rollback: its orphaned job is the reaper's Tier 1, not a requeue");
        assertEquals(lostJob, pickFor(restarting, lost));
        assertTrue(othersJob > 0);
    }

    @Test
    void anAttemptsExitCodeAndReasonAreRecordedWithTheRunAndTheExit() {
        String task = newTaskId("WHY");
        createTask(task, "acme/why", "created");
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        long job = pickFor(new Runner("why-" + task), task);
        given().contentType(ContentType.JSON).body("""
                {"agent":"analyst","attempt":1,"exitCode":127,"reason":"agent program nope cannot be started"}""")
                .post("/jobs/" + job + "/runs").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"code\":127,\"reason\":\"agent program nope cannot be started\"}")
                .post("/jobs/" + job + "/exit").then().statusCode(200).body("exitCode", equalTo(127))
                .body("detail", equalTo("agent program nope cannot be started"));
        assertEquals(1, count("SELECT count(*) FROM stage.agent_run WHERE task_id = ? AND exit_code = 127 "
                + "AND reason = 'agent program nope cannot be started'", task));
    }

    private static long pickFor(Runner runner, String task) {
        return runner.pickJobOf(task, "analysis");
    }

    @Test
    void oneSweepTurnPerInterval() {
        given().contentType(ContentType.JSON).body("{\"holder\":\"reaper-a\",\"intervalS\":60}")
                .post("/sweeps/job-reaper-test/claim").then().statusCode(200).body("granted", equalTo(true));
        given().contentType(ContentType.JSON).body("{\"holder\":\"reaper-b\",\"intervalS\":60}")
                .post("/sweeps/job-reaper-test/claim").then().statusCode(200).body("granted", equalTo(false));
    }

    private static void refused(io.restassured.response.Response response, int status) {
        response.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
    }
}
