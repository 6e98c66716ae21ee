package dev.baton.reaper.reconcile;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.TestClock;
import dev.baton.reaper.client.PlaneClient;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.config.ReconcilerConfig;
import dev.baton.reaper.messaging.AlertPublisher;
import dev.baton.reaper.support.StageServiceFake;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two reconciler replicas sweeping at the same moments over many intervals: the sweep turn lets
 * one read Plane per interval, so Plane's 60 requests a minute hold cluster-wide and no
 * transition is asked twice.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StageServiceFake.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PlaneReconcilerReplicasTest {

    static final String PLANE_READS = StageServiceFake.PLANE_ITEMS + "proj-1/work-items/.*";

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

    @BeforeEach
    void reset() {
        StageServiceFake.reset(clock);
        wm = StageServiceFake.server();
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    /** Both replicas sweep at once, then the clock moves {@code step}; returns the Plane reads of the round. */
    private int race(PlaneReconciler a, PlaneReconciler b, Duration step) {
        int before = planeReads().size();
        var swept = Uni.combine().all().unis(a.sweep(), b.sweep()).asTuple().await().atMost(Duration.ofSeconds(30));
        assertTrue(swept.getItem1().isEmpty() || swept.getItem2().isEmpty(), "at most one replica sweeps per turn");
        clock.advance(step);
        return planeReads().size() - before;
    }

    private List<LoggedRequest> planeReads() {
        return wm.findAll(getRequestedFor(urlPathMatching(PLANE_READS)));
    }

    @Test
    void manyItemsOverManySweepsStayWithin60PlaneRequestsAMinute() {
        // The most Plane allows, and sweep turns as close together as stage-service grants them.
        ReconcilerConfig sixty = limit(60);
        Duration step = Duration.ofMillis((long) (config.interval().toMillis() * 0.9));
        for (int i = 0; i < 200; i++) {
            StageServiceFake.task("ORCH-M-%03d-%s".formatted(i, run), "development");
        }
        wm.stubFor(get(urlPathMatching(PLANE_READS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(PlaneReconcilerTest.workItem("any", "state-development", "In Progress"))));
        PlaneReconciler a = new PlaneReconciler(stage, plane, alerts, sixty, clock, "replica-a");
        PlaneReconciler b = new PlaneReconciler(stage, plane, alerts, sixty, clock, "replica-b");

        List<Integer> perRound = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            perRound.add(race(a, b, step));
        }

        // Round r starts at r × step; every 60 s window holds the rounds starting within it.
        int worstMinute = 0;
        for (int first = 0; first < perRound.size(); first++) {
            int sum = 0;
            for (int r = first; r < perRound.size() && (r - first) * step.toMillis() < 60_000; r++) {
                sum += perRound.get(r);
            }
            worstMinute = Math.max(worstMinute, sum);
        }
        assertTrue(worstMinute <= 60, "Plane reads in the worst minute: " + worstMinute + " " + perRound);
        assertEquals(sixty.perSweep() * 40, perRound.stream().mapToInt(Integer::intValue).sum(),
                "every turn spends its whole budget");
        Set<String> read = new HashSet<>();
        planeReads().forEach(r -> read.add(r.getUrl()));
        assertEquals(200, read.size(), "the round-robin reaches every active work item");
        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/.*/transitions"))).size());
    }

    @Test
    void twoReplicasOverManySweepsAskEachTransitionOnce() {
        List<String> drifting = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "ORCH-D-%02d-%s".formatted(i, run);
            drifting.add(id);
            StageServiceFake.task(id, "development");
            stubPlane(id, "state-review", "Review");
            String agreeing = "ORCH-A-%02d-%s".formatted(i, run);
            StageServiceFake.task(agreeing, "testing");
            stubPlane(agreeing, "state-testing", "Testing");
        }
        StageServiceFake.deferNext(drifting.get(0), 2);
        PlaneReconciler a = new PlaneReconciler(stage, plane, alerts, config, clock, "replica-a");
        PlaneReconciler b = new PlaneReconciler(stage, plane, alerts, config, clock, "replica-b");

        for (int round = 0; round < 40; round++) {
            assertTrue(race(a, b, config.interval()) <= config.perSweep());
        }

        for (String id : drifting) {
            assertEquals("review", StageServiceFake.stageOf(id), id);
            int asked = wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + id + "/transitions"))).size();
            assertEquals(id.equals(drifting.get(0)) ? 3 : 1, asked, id + ": deferred twice, then applied once");
        }
        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/ORCH-A-.*/transitions"))).size());
    }

    @Test
    void withoutTheSweepTurnNoReplicaReadsPlane() {
        StageServiceFake.withoutSweepEndpoint();
        String id = "ORCH-N-" + run;
        StageServiceFake.task(id, "development");
        stubPlane(id, "state-review", "Review");
        PlaneReconciler a = new PlaneReconciler(stage, plane, alerts, config, clock, "replica-a");
        PlaneReconciler b = new PlaneReconciler(stage, plane, alerts, config, clock, "replica-b");

        for (int round = 0; round < 5; round++) {
            race(a, b, config.interval());
        }

        assertEquals(0, planeReads().size());
        assertEquals("development", StageServiceFake.stageOf(id));
    }

    private void stubPlane(String id, String stateId, String name) {
        wm.stubFor(PlaneReconcilerTest.planeRead(id).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(PlaneReconcilerTest.workItem(id, stateId, name))));
    }

    private ReconcilerConfig limit(int perMinute) {
        return new ReconcilerSettings(config.interval(), perMinute, config.planeTimeout(), config.throttledPause());
    }

    /** Settings of one replica (a record, not an anonymous class: Quarkus would intercept the constraints on it). */
    private record ReconcilerSettings(Duration interval, int requestsPerMinute, Duration planeTimeout,
                                      Duration throttledPause) implements ReconcilerConfig {
    }
}
