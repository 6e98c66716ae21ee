package dev.baton.stage.inbound;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipelineOutside;
import dev.baton.stage.lease.LivenessRegistration;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Webhook events from the real broker, applied through the transition path, once. */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class InboundApplyTest {

    static final String SHA = "fedcba9876543210fedcba9876543210fedcba98";

    @Inject
    OtherOwners others;

    @Inject
    InboundProcessor processor;

    KafkaTestClient kafka;
    WireMockServer gitea;

    @BeforeEach
    void broker() {
        kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        gitea = OutsideWireMock.server();
        gitea.resetAll();
    }

    @Test
    void aCreatedWorkItemBecomesATaskOnceEvenWhenReplayed() {
        String key = newTaskId("PLN");
        String event = envelope("plane:" + UUID.randomUUID(), key, "PlaneWorkItemCreated", new JsonObject()
                .put("workItemId", "uuid-" + key).put("workItemKey", key).put("projectId", "proj-9")
                .put("name", "Add <login> & logout"));
        kafka.send(Topics.INBOUND, key, event);
        kafka.send(Topics.INBOUND, key, event);

        await().atMost(Duration.ofSeconds(30)).until(() -> "applied".equals(status(key, "PlaneWorkItemCreated")));
        given().get("/tasks/" + key).then().statusCode(200);
        assertEquals("created", stageOf(key));
        assertEquals("proj-9", text("SELECT plane_project FROM stage.task WHERE id = ?", key));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ?", key));
        assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = 'TaskCreated'",
                key));
    }

    @Test
    void aPlaneRollbackDuringALiveLeaseIsAppliedAfterTheReleaseOnce() {
        String task = newTaskId("RBK");
        createTask(task, "acme/inbound", "review");
        LivenessRegistration owner = others.register();
        others.acquire(task, owner, "monitor", "review", "testing");

        kafka.send(Topics.INBOUND, task, envelope("plane:" + UUID.randomUUID(), task, "PlaneStateChanged",
                new JsonObject().put("workItemKey", task).put("stateName", "Development")
                        .put("previousStateName", "Review")));
        await().atMost(Duration.ofSeconds(30)).until(() -> "deferred".equals(status(task, "PlaneStateChanged")));
        assertEquals("review", stageOf(task), "a live owner holds the lease: nothing applied yet");

        given().header("Authorization", "Bearer test-admin-token")
                .post("/transition-lease/release?work_item=" + task).then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "applied".equals(status(task, "PlaneStateChanged")));
        assertEquals("development", stageOf(task));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'rollback'",
                task));
        owner.close().await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aPrMergedInGiteaIsRecordedAndAdvancesWithoutASecondMerge() {
        String task = newTaskId("GMG");
        createTask(task, "acme/inbound", "review");
        given().contentType(ContentType.JSON).body("{\"number\":5,\"headSha\":\"%s\"}".formatted(SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);

        kafka.send(Topics.INBOUND, task, envelope("gitea:" + UUID.randomUUID(), task, "GiteaPrMerged",
                new JsonObject().put("repo", "acme/inbound").put("prNumber", 5).put("headSha", SHA)
                        .put("merged", true).put("mergeCommitSha", "1111111111111111111111111111111111111111")));
        await().atMost(Duration.ofSeconds(30)).until(() -> "applied".equals(status(task, "GiteaPrMerged")));

        assertEquals("testing", stageOf(task));
        assertEquals("merged", text("SELECT pr_state FROM stage.task_facts WHERE task_id = ?", task));
        assertEquals("done", text("SELECT status FROM stage.transition_effect WHERE task_id = ? "
                + "AND effect = 'merge_pr'", task));
        gitea.verify(0, postRequestedFor(urlPathMatching(".*/merge")));
    }

    @Test
    void giteaFactsAreRecordedAndAStaleEventLosesCleanly() {
        String task = newTaskId("GFA");
        createTask(task, "acme/inbound", "development");
        kafka.send(Topics.INBOUND, task, envelope("gitea:" + UUID.randomUUID(), task, "GiteaPrSynchronized",
                new JsonObject().put("repo", "acme/inbound").put("prNumber", 9).put("headSha", SHA)));
        kafka.send(Topics.INBOUND, task, envelope("gitea:" + UUID.randomUUID(), task, "GiteaStatusReported",
                new JsonObject().put("repo", "acme/inbound").put("sha", SHA).put("state", "success")
                        .put("context", "ci/test")));
        // The task is not in review: the merge event records the fact but moves nothing.
        kafka.send(Topics.INBOUND, task, envelope("gitea:" + UUID.randomUUID(), task, "GiteaPrMerged",
                new JsonObject().put("repo", "acme/inbound").put("prNumber", 9).put("headSha", SHA)
                        .put("merged", true)));
        await().atMost(Duration.ofSeconds(30)).until(() -> "applied".equals(status(task, "GiteaPrMerged")));

        assertEquals(SHA, text("SELECT head_sha FROM stage.task_facts WHERE task_id = ?", task));
        assertEquals("success", text("SELECT state FROM stage.commit_status WHERE sha = ?", SHA));
        assertEquals("development", stageOf(task));
        assertEquals(0, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind <> 'created'",
                task));
    }

    @Test
    void anEventForAnUnknownWorkItemEndsInTheDeadLetterTopic() {
        String ghost = newTaskId("GHOST");
        String eventId = "plane:" + UUID.randomUUID();
        kafka.send(Topics.INBOUND, ghost, envelope(eventId, ghost, "PlaneStateChanged",
                new JsonObject().put("workItemKey", ghost).put("stateName", "Review")));

        List<ConsumerRecord<String, String>> dead = kafka.await(Topics.INBOUND_DLQ, r -> ghost.equals(r.key()), 1,
                Duration.ofSeconds(30));
        assertEquals(1, dead.size());
        assertTrue(dead.get(0).value().contains("no task " + ghost), dead.get(0).value());
        assertEquals("dead", status(ghost, "PlaneStateChanged"));
    }

    /**
     * Replicas' retry passes race for the same due events: each is claimed by one pass. The events
     * are one attempt short of the dead letter (an unknown work item), so every pass that applies
     * one dead-letters it: the dead-letter events are the count of applications, and they are final
     * (a dead event is never due again).
     */
    @Test
    void replicasRetryPassesApplyEachDueEventOnce() throws Exception {
        String ghost = newTaskId("RACE");
        int events = 40;
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO stage.inbound_event (event_id, work_item, event_type, payload, status, attempts, next_at)
                     VALUES (?, ?, 'PlaneStateChanged', ?::jsonb, 'deferred', 2, now() - interval '1 second')""")) {
            for (int i = 0; i < events; i++) {
                insert.setString(1, "plane:race-" + ghost + "-" + i);
                insert.setString(2, ghost);
                insert.setString(3, new JsonObject().put("workItemKey", ghost).put("stateName", "Review").encode());
                insert.addBatch();
            }
            insert.executeBatch();
        }

        int passes = 4;
        CyclicBarrier start = new CyclicBarrier(passes);
        ExecutorService replicas = Executors.newFixedThreadPool(passes);
        try {
            List<Future<Integer>> claimed = new ArrayList<>();
            for (int i = 0; i < passes; i++) {
                claimed.add(replicas.submit(() -> {
                    start.await();
                    return processor.retryDueNow().await().atMost(Duration.ofSeconds(60));
                }));
            }
            int total = 0;
            for (Future<Integer> pass : claimed) {
                total += pass.get(90, TimeUnit.SECONDS);
            }
            assertTrue(total <= events, "no event was in two passes at once: " + total + " claims of " + events);
        } finally {
            replicas.shutdownNow();
        }

        // The module's own scheduled pass is one more replica: it may take some of them, still once.
        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "SELECT count(*) FROM stage.inbound_event WHERE work_item = ? AND status = 'dead'", ghost) == events);
        assertEquals(events, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND topic = '"
                + Topics.INBOUND_DLQ + "'", ghost), "one dead letter per event, none twice");
    }

    private static String status(String workItem, String type) {
        return text("SELECT status FROM stage.inbound_event WHERE work_item = ? AND event_type = '" + type + "'",
                workItem);
    }

    static String envelope(String eventId, String workItem, String type, JsonObject payload) {
        return new JsonObject().put("eventId", eventId).put("aggregateType", "task").put("aggregateId", workItem)
                .put("eventType", type).put("occurredAt", "2026-11-28T00:00:00Z").put("payload", payload).encode();
    }
}
