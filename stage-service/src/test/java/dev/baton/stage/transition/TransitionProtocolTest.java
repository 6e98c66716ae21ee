package dev.baton.stage.transition;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.ProbeEffect;
import dev.baton.stage.effect.EffectResult;
import dev.baton.stage.effect.Resolution;
import dev.baton.stage.lease.Liveness;
import dev.baton.stage.lease.LivenessRegistration;
import dev.baton.stage.recovery.RecoveryService;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.history;
import static dev.baton.stage.StageApi.leases;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transition protocol's answers, owner liveness, fencing, recovery and the outbox, on the real servers. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class TransitionProtocolTest {

    static final String ADMIN = "Bearer test-admin-token";

    @Inject
    ProbeEffect probe;
    @Inject
    Liveness liveness;
    @Inject
    RecoveryService recovery;
    @Inject
    OtherOwners others;

    @Test
    void advancedThenAlreadyIsIdempotent() {
        String task = newTaskId("IDEM");
        createTask(task, GUARDED_REPO, "development");

        transition(task, "development", "review", "monitor").then().statusCode(200)
                .body("outcome", equalTo("advanced")).body("stage", equalTo("review")).body("version", equalTo(1));
        transition(task, "development", "review", "plane-webhook").then().statusCode(200)
                .body("outcome", equalTo("already"));

        assertEquals(1, probe.applied(task));
        assertEquals(2, history(task), "created + one advance");
        assertEquals(1, outbox(task, "StageAdvanced"));
        assertEquals(0, leases(task));
    }

    @Test
    void conflictWhenTheTaskIsNeitherAtFromNorAtTo() {
        String task = newTaskId("CONF");
        createTask(task, GUARDED_REPO, "analysis");

        transition(task, "development", "review", "monitor").then().statusCode(409)
                .body("outcome", equalTo("conflict")).body("stage", equalTo("analysis"));
        assertEquals(0, probe.applied(task));
        assertEquals(1, history(task));
        assertEquals(0, leases(task));
    }

    @Test
    void badInputIsRefusedWithProblemJsonAndWritesNothing() {
        String task = newTaskId("BAD");
        createTask(task, GUARDED_REPO, "development");

        transition(task, "development", "done", "monitor").then().statusCode(422)
                .contentType("application/problem+json").body("detail", containsString("does not allow"));
        transition(task, "development", "nowhere", "monitor").then().statusCode(422)
                .contentType("application/problem+json").body("detail", containsString("unknown stage"));
        transition(task, "development", "review", "intern").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("unknown actor"));
        transition("NOPE-1", "development", "review", "monitor").then().statusCode(404)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"from\": \"development\", ")
                .post("/tasks/" + task + "/transitions").then().statusCode(400)
                .contentType("application/problem+json").body("status", equalTo(400));
        given().contentType(ContentType.JSON).post("/tasks/" + task + "/transitions").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"from\":\"development\",\"to\":\"review\"}")
                .post("/tasks/" + task + "/transitions").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("actor"));
        given().contentType(ContentType.JSON).body("{\"id\":\"bad id!\",\"repo\":\"r\",\"title\":\"t\"}")
                .post("/tasks").then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body("{\"id\":\"%s\",\"repo\":\"r\",\"title\":\"t\"}".formatted(task))
                .post("/tasks").then().statusCode(409).contentType("application/problem+json");

        assertEquals("development", stageOf(task));
        assertEquals(1, history(task), "only the creation row");
        assertEquals(0, leases(task));
        assertEquals(0, probe.applied(task));
        assertEquals(0, outbox(task, "StageAdvanced"));
    }

    @Test
    void secondActorDefersWhileOwnerIsLiveAndReclaimsOnceItDies() {
        String task = newTaskId("LIVE");
        createTask(task, GUARDED_REPO, "development");
        LivenessRegistration other = otherInstance();
        long token = acquire(task, other, "monitor");

        transition(task, "development", "review", "plane-webhook").then().statusCode(409)
                .body("outcome", equalTo("deferred"))
                .body("owner.actor", equalTo("monitor"))
                .body("owner.instance", equalTo(other.identity().bootId().toString()))
                .body("owner.pid", equalTo(4242))
                .body("owner.host", equalTo("other-host"))
                .body("owner.from", equalTo("development")).body("owner.to", equalTo("review"));
        given().get("/queue").then().statusCode(200)
                .body("transitionLease.find { it.workItem == '%s' }.live".formatted(task), equalTo(true))
                .body("transitionLease.find { it.workItem == '%s' }.token".formatted(task), equalTo((int) token));
        assertEquals(0, probe.applied(task), "a deferred call runs no effect");

        other.close().await().atMost(Duration.ofSeconds(5));
        given().get("/queue").then()
                .body("transitionLease.find { it.workItem == '%s' }.live".formatted(task), equalTo(false));

        transition(task, "development", "review", "plane-webhook").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        assertEquals(1, probe.applied(task));
        assertEquals("review", stageOf(task));
        assertEquals(0, leases(task));
        assertEquals(1, outbox(task, "LeaseReclaimed"));
        assertTrue(text("SELECT reason FROM stage.stage_history WHERE task_id = ? AND kind = 'advance'", task)
                .contains("re-driven"));
    }

    @Test
    void crashInsideAnEffectThatHappenedIsResolvedWithoutRunningItAgain() {
        String task = crashedInsideEffect("CRASH");
        probe.happenedOutside(task);

        assertTrue(recovery.sweepNow().await().atMost(Duration.ofSeconds(30)) >= 1);

        assertEquals("review", stageOf(task));
        assertEquals(1, probe.applied(task), "the effect happened once, before the crash");
        assertEquals("done", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        assertEquals(0, leases(task));
        assertEquals(1, outbox(task, "StageAdvanced"));
    }

    @Test
    void crashBeforeTheEffectReachedTheOutsideRunsItOnce() {
        String task = crashedInsideEffect("CRASHB");

        recovery.sweepNow().await().atMost(Duration.ofSeconds(30));

        assertEquals("review", stageOf(task));
        assertEquals(1, probe.applied(task));
        assertEquals(2L, count("SELECT attempts FROM stage.transition_effect WHERE task_id = ?", task));
    }

    @Test
    void anEffectThatCannotBeResolvedStaysInDoubtAndAlerts() {
        String task = crashedInsideEffect("DOUBT");
        probe.resolveAs(task, Resolution.UNKNOWN);

        recovery.sweepNow().await().atMost(Duration.ofSeconds(30));

        assertEquals("development", stageOf(task));
        assertEquals(0, probe.applied(task), "never re-run blindly");
        assertEquals("in_doubt", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        assertEquals(1, outbox(task, "EffectInDoubt"));
        assertEquals(0, leases(task), "the lease is released so a later call can resolve it");

        transition(task, "development", "review", "operator").then().statusCode(409)
                .body("outcome", equalTo("in-doubt"));
        assertEquals(0, probe.applied(task));

        probe.resolveAs(task, Resolution.HAPPENED);
        transition(task, "development", "review", "operator").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        assertEquals(0, probe.applied(task), "resolved as happened outside: still never run by Baton");
    }

    @Test
    void aFailedEffectLeavesTheStageAndIsRetriedOnTheNextCall() {
        String task = newTaskId("FAIL");
        createTask(task, GUARDED_REPO, "development");
        probe.answer(task, EffectResult.failed("head out of date"));

        transition(task, "development", "review", "monitor").then().statusCode(502)
                .body("outcome", equalTo("effect-failed"));
        assertEquals("development", stageOf(task));
        assertEquals(0, leases(task));

        probe.answer(task, EffectResult.done("merged"));
        transition(task, "development", "review", "monitor").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        assertEquals(2, probe.applied(task), "a failed effect certainly did not happen, so it runs again");
    }

    @Test
    void aFencedOffOwnerCommitsNothing() throws Exception {
        String task = newTaskId("FENCE");
        createTask(task, GUARDED_REPO, "development");
        CompletableFuture<Void> hold = probe.hold(task);
        CompletableFuture<Response> owner = CompletableFuture.supplyAsync(
                () -> transition(task, "development", "review", "monitor"));
        probe.entered(task).get(30, TimeUnit.SECONDS);

        given().header("Authorization", ADMIN).post("/transition-lease/release?work_item=" + task).then()
                .statusCode(200).body("ownerActor", equalTo("monitor"));
        hold.complete(null);

        owner.get(30, TimeUnit.SECONDS).then().statusCode(409).body("outcome", equalTo("fenced"));
        assertEquals("development", stageOf(task));
        assertEquals(0, outbox(task, "StageAdvanced"));
        assertEquals(1, outbox(task, "LeaseReclaimed"));
        assertEquals(1L, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'lease-released'",
                task));

        transition(task, "development", "review", "reconciler").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        assertEquals(1, probe.applied(task), "the ledger remembered the effect the fenced owner ran");
    }

    @Test
    void releaseNeedsTheAdminToken() {
        String task = newTaskId("REL");
        createTask(task, GUARDED_REPO, "development");
        given().post("/transition-lease/release?work_item=" + task).then().statusCode(401)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer wrong").post("/transition-lease/release?work_item=" + task).then()
                .statusCode(401);
        given().header("Authorization", ADMIN).post("/transition-lease/release?work_item=" + task).then()
                .statusCode(404).contentType("application/problem+json");
        given().header("Authorization", ADMIN).post("/transition-lease/release").then().statusCode(400);
        assertEquals(1, history(task));
    }

    @Test
    void anInstanceThatLostItsLivenessEntersNoTransitionUntilRegisteredAgain() {
        String task = newTaskId("LOST");
        createTask(task, GUARDED_REPO, "development");
        UUID before = liveness.current().orElseThrow().bootId();

        liveness.registration().orElseThrow().sever().await().atMost(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> liveness.current().isEmpty());
        transition(task, "development", "review", "monitor").then().statusCode(503)
                .contentType("application/problem+json");
        given().port(ManagementInterface.port()).get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        assertEquals(0, leases(task));

        await().atMost(Duration.ofSeconds(30)).until(() -> liveness.current().isPresent());
        assertNotEquals(before, liveness.current().orElseThrow().bootId(), "registered again under a new boot id");
        transition(task, "development", "review", "monitor").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
    }

    @Test
    void committedTransitionsReachTheBrokerAndAbortedOnesDoNot() {
        String task = newTaskId("OUTBOX");
        createTask(task, GUARDED_REPO, "development");
        transition(task, "development", "review", "monitor").then().statusCode(200);
        transition(task, "development", "review", "monitor").then().statusCode(200).body("outcome", equalTo("already"));
        transition(task, "testing", "deploy-staging", "monitor").then().statusCode(409);
        transition(task, "review", "testing", "monitor").then().statusCode(200).body("outcome", equalTo("advanced"));

        // The relay marks a row sent after the broker's ack: once all are, a sentinel sent now comes after them.
        await().atMost(Duration.ofSeconds(10)).until(() -> count(
                "SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND sent_at IS NULL", task) == 0);
        KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        // Three events (TaskCreated and two StageAdvanced) and nothing for the already/conflict calls.
        List<ConsumerRecord<String, String>> events = kafka.publishedBefore(Topics.TRANSITIONS, task,
                Duration.ofSeconds(20));
        assertEquals(3, events.size(), "one event per committed change: " + events);
        assertTrue(events.get(0).value().contains("\"eventType\":\"TaskCreated\""));
        assertTrue(events.get(1).value().contains("\"to\":\"review\""));
        assertTrue(events.get(2).value().contains("\"to\":\"testing\""));
        assertEquals(3, events.stream().map(r -> r.value().replaceAll(".*\"eventId\":\"([^\"]+)\".*", "$1"))
                .distinct().count(), "each event has its own eventId");

        given().port(ManagementInterface.port()).get("/q/metrics").then().statusCode(200)
                .body(containsString("baton_transitions_total{outcome=\"advanced\""));
    }

    @Test
    void pipelineIsExposedReadOnly() {
        given().get("/pipeline").then().statusCode(200)
                .body("stages.key", hasItem("deploy-staging"))
                .body("stages.find { it.key == 'brd-approval' }.label.ru", equalTo("Подтверждение BRD"))
                .body("transitions.find { it.from == 'review' && it.to == 'development' }.kind", equalTo("rollback"))
                .body("transitions.find { it.from == 'deploy' && it.to == 'cancelled' }.kind", equalTo("cancel"));
    }

    /** A task whose owner (another instance) died after recording its effect started. */
    private String crashedInsideEffect(String prefix) {
        String task = newTaskId(prefix);
        createTask(task, GUARDED_REPO, "development");
        others.diedInside(task, "probe", "development", "review");
        return task;
    }

    private LivenessRegistration otherInstance() {
        return others.register();
    }

    private long acquire(String task, LivenessRegistration owner, String actor) {
        return others.acquire(task, owner, actor, "development", "review");
    }
}
