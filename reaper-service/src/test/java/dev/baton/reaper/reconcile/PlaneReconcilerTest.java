package dev.baton.reaper.reconcile;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.TestClock;
import dev.baton.reaper.client.PlaneClient;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.config.ReconcilerConfig;
import dev.baton.reaper.messaging.AlertPublisher;
import dev.baton.reaper.support.StageServiceFake;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Plane reconciler against Plane's wire format (WireMock) and stage-service's transition
 * contract ({@link StageServiceFake}'s stage CAS): one replica, time moved by the test clock.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StageServiceFake.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PlaneReconcilerTest {

    @Inject
    StageServiceClient stage;

    @Inject
    PlaneClient plane;

    @Inject
    AlertPublisher alerts;

    @Inject
    ReconcilerConfig config;

    @Inject
    TestClock clock;

    WireMockServer wm;
    String run;
    PlaneReconciler reconciler;

    @BeforeEach
    void reset() {
        StageServiceFake.reset(clock);
        wm = StageServiceFake.server();
        run = UUID.randomUUID().toString().substring(0, 8);
        reconciler = new PlaneReconciler(stage, plane, alerts, config, clock, "replica-a");
    }

    /** A task at {@code stage} in Baton whose Plane work item is in state {@code stateId}. */
    private String task(String name, String stage, String stateId, String stateName) {
        String id = "ORCH-R-" + name + "-" + run;
        StageServiceFake.task(id, stage);
        wm.stubFor(planeRead(id).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(workItem(id, stateId, stateName))));
        return id;
    }

    static MappingBuilder planeRead(String id) {
        return get(urlPathEqualTo(StageServiceFake.planeItem(id))).withQueryParam("expand", equalTo("state"))
                .withHeader("X-API-Key", equalTo(StageServiceFake.PLANE_KEY));
    }

    /** Plane v1's work item with {@code ?expand=state}: the state object in place of its id. */
    static String workItem(String id, String stateId, String stateName) {
        return """
                {"id":"item-%1$s","name":"Work item %1$s","sequence_id":142,"priority":"none",
                 "state":{"id":"%2$s","name":"%3$s","color":"#f59e0b","group":"started"},
                 "project":"proj-1","workspace":"0f6c1f7e-6b2a-4d59-9a44-3d1c5e0b7a10","assignees":[],"labels":[],
                 "created_at":"2026-11-27T09:00:00Z","updated_at":"2026-11-28T03:58:00Z"}"""
                .formatted(id, stateId, stateName);
    }

    private List<Reconciliation> sweep() {
        clock.advance(config.interval());
        return reconciler.sweep().await().atMost(Duration.ofSeconds(20));
    }

    private static Reconciliation of(List<Reconciliation> sweep, String task) {
        return sweep.stream().filter(r -> r.taskId().equals(task)).findFirst()
                .orElseThrow(() -> new AssertionError(task + " not reconciled in " + sweep));
    }

    private int transitions(String task) {
        return wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))).size();
    }

    /** Every alert of the task so far (each sweep awaits its publishes' acks), proven complete by a sentinel. */
    private static List<ConsumerRecord<String, String>> alertsOf(String task) {
        return new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap())
                .publishedBefore(Topics.ALERTS, task, Duration.ofSeconds(20));
    }

    @Test
    void aPlaneStateBatonDisagreesWithIsAskedForAsReconciler() {
        String task = task("ahead", "development", "state-review", "Review");

        assertEquals(Reconciliation.Action.APPLIED, of(sweep(), task).action());
        assertEquals(Reconciliation.Action.AGREED, of(sweep(), task).action());

        assertEquals("review", StageServiceFake.stageOf(task));
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("{\"from\":\"development\",\"to\":\"review\",\"actor\":\"reconciler\"}",
                        true, true))).size());
        assertEquals(2, wm.findAll(getRequestedFor(urlPathEqualTo(StageServiceFake.planeItem(task)))
                .withQueryParam("expand", equalTo("state"))
                .withHeader("X-API-Key", equalTo(StageServiceFake.PLANE_KEY))).size());
    }

    @Test
    void aSharedPlaneStateAgreesWithEveryStageItShows() {
        String approval = task("shared", "brd-approval", "state-analysis", "Analysis");
        String behind = task("behind", "architecture", "state-analysis", "Analysis");

        List<Reconciliation> sweep = sweep();

        assertEquals(Reconciliation.Action.AGREED, of(sweep, approval).action());
        // Analysis shows analysis and brd-approval; only architecture -> analysis is in the pipeline.
        assertEquals(Reconciliation.Action.APPLIED, of(sweep, behind).action());
        assertEquals("analysis", StageServiceFake.stageOf(behind));
        assertEquals(0, transitions(approval));
    }

    @Test
    void aLiveLeaseDefersAndTheNextSweepApplies() {
        String task = task("0lease", "development", "state-review", "Review");
        for (int i = 0; i < 10; i++) {
            task("f" + i, "testing", "state-testing", "Testing");
        }
        StageServiceFake.deferNext(task, 1);

        assertEquals(Reconciliation.Action.DEFERRED, of(sweep(), task).action());
        assertEquals("development", StageServiceFake.stageOf(task));

        // Read again first, ahead of the ten items the round-robin has not reached yet.
        assertEquals(Reconciliation.Action.APPLIED, of(sweep(), task).action());
        assertEquals("review", StageServiceFake.stageOf(task));
        assertEquals(2, transitions(task));
    }

    @Test
    void anUnmappedPlaneStateIsAlertedOnceOverManySweeps() {
        String task = task("unmapped", "development", "8b7f9a2e-1c3d-4e5f-a6b7-c8d9e0f1a2b3", "Blocked");

        for (int i = 0; i < 20; i++) {
            assertEquals(Reconciliation.Action.UNMAPPED, of(sweep(), task).action());
        }

        assertEquals(0, transitions(task));
        List<ConsumerRecord<String, String>> sent = alertsOf(task);
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).value().contains("\"eventType\":\"PlaneDriftUnmapped\""), sent.get(0).value());
        assertTrue(sent.get(0).value().contains("\"planeState\":\"Blocked\""), sent.get(0).value());
    }

    @Test
    void aTransitionThePipelineRefusesIsAlertedOnceAndNotAskedAgain() {
        String task = task("refused", "created", "state-deploy", "Deploying");
        StageServiceFake.refuse(task);

        for (int i = 0; i < 10; i++) {
            assertEquals(Reconciliation.Action.UNRESOLVED, of(sweep(), task).action());
        }

        assertEquals(1, transitions(task));
        List<ConsumerRecord<String, String>> sent = alertsOf(task);
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).value().contains("\"eventType\":\"PlaneDriftUnresolved\""), sent.get(0).value());
    }

    @Test
    void aNewDriftOfTheSameTaskIsAlertedAgain() {
        String task = task("redrift", "development", "state-unknown-1", "Blocked");
        sweep();
        sweep();
        wm.stubFor(planeRead(task).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(workItem(task, "state-unknown-2", "On hold"))));
        sweep();
        sweep();

        assertEquals(2, alertsOf(task).size());
    }

    @Test
    void plane5xxTimeoutsAnd429NeverEndTheSweepAndLoseNothing() {
        String failing = task("a-502", "development", "state-review", "Review");
        String slow = task("b-slow", "development", "state-review", "Review");
        String throttled = task("c-429", "development", "state-review", "Review");
        wm.stubFor(planeRead(failing).willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                        + "</center><hr><center>nginx</center></body></html>")));
        wm.stubFor(planeRead(slow).willReturn(aResponse().withStatus(200).withFixedDelay(1500)
                .withHeader("Content-Type", "application/json").withBody(workItem(slow, "state-review", "Review"))));
        wm.stubFor(planeRead(throttled).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "60")
                .withHeader("X-RateLimit-Remaining", "0")
                .withBody("{\"detail\":\"Request was throttled. Expected available in 60 seconds.\"}")));

        List<Reconciliation> first = sweep();
        assertEquals(List.of(Reconciliation.Action.RETRY, Reconciliation.Action.RETRY,
                Reconciliation.Action.THROTTLED), first.stream().map(Reconciliation::action).toList());

        for (String task : List.of(failing, slow, throttled)) {
            wm.stubFor(planeRead(task).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody(workItem(task, "state-review", "Review"))));
        }
        int readsBefore = wm.findAll(getRequestedFor(urlPathMatching(StageServiceFake.PLANE_ITEMS + ".*"))).size();
        assertEquals(List.of(), sweep(), "Plane asked for 60 s; 30 s later nothing is read");
        assertEquals(readsBefore, wm.findAll(getRequestedFor(urlPathMatching(StageServiceFake.PLANE_ITEMS + ".*")))
                .size());

        List<Reconciliation> third = sweep();
        for (String task : List.of(failing, slow, throttled)) {
            assertEquals(Reconciliation.Action.APPLIED, of(third, task).action());
            assertEquals("review", StageServiceFake.stageOf(task));
            assertEquals(1, transitions(task));
        }
    }

    @Test
    void aWorkItemGoneFromPlaneIsAlertedOnce() {
        String task = task("gone", "review", "state-review", "Review");
        wm.stubFor(planeRead(task).willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"The requested resource does not exist.\"}")));

        for (int i = 0; i < 5; i++) {
            assertEquals(Reconciliation.Action.UNRESOLVED, of(sweep(), task).action());
        }

        assertEquals(0, transitions(task));
        assertEquals(1, alertsOf(task).size());
    }

    @Test
    void aTaskWhosePlaneSyncIsBehindOrWhoseStageIsNotMirroredIsNotRead() {
        String pending = task("pending", "development", "state-review", "Review");
        String failed = task("failed", "development", "state-review", "Review");
        String staging = task("staging", "deploy-staging", "state-testing", "Testing");
        StageServiceFake.planeSync(pending, "pending");
        StageServiceFake.planeSync(failed, "failed");

        assertEquals(List.of(), sweep());

        assertEquals(0, wm.findAll(getRequestedFor(urlPathMatching(StageServiceFake.PLANE_ITEMS + ".*"))).size());
        for (String task : List.of(pending, failed, staging)) {
            assertEquals(0, transitions(task));
        }
    }
}
