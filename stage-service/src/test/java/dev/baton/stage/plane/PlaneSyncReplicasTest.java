package dev.baton.stage.plane;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.config.PlaneConfig;
import dev.baton.stage.job.RealPipelineOutside;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several stage-service replicas drain Plane syncs at once (each {@code drainNow} on its own thread
 * is what a replica's worker does; they share only the database, as replicas do): every update is
 * sent once, and Plane's 60 requests a minute per key hold for the cluster, not per replica.
 */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class PlaneSyncReplicasTest {

    static final int REPLICAS = 4;
    static final int TASKS = 20;

    @Inject
    PlaneSyncWorker worker;
    @Inject
    PlaneBudget budget;
    @Inject
    PlaneConfig config;
    @Inject
    Pool pool;

    WireMockServer plane;

    @BeforeEach
    void emptyMinute() {
        plane = OutsideWireMock.server();
        plane.resetAll();
        pool.query("DELETE FROM stage.rate_grant").execute().await().atMost(Duration.ofSeconds(5));
        plane.stubFor(patch(urlPathMatching("/api/v1/workspaces/acme/projects/proj-r/work-items/.*/"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"item\",\"state\":\"x\"}")));
        plane.stubFor(post(urlPathMatching("/api/v1/workspaces/acme/projects/proj-r/work-items/.*/comments/"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"c1\"}")));
    }

    /** The budget test spends the whole minute: give it back, so later tests of this JVM can sync. */
    @AfterEach
    void budgetBack() {
        pool.query("DELETE FROM stage.rate_grant").execute().await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void replicasDrainingTogetherSendEachUpdateOnce() throws Exception {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            String task = newTaskId("PREP");
            tasks.add(task);
            given().contentType(ContentType.JSON).body("""
                    {"id":"%s","repo":"acme/plane","title":"t","stage":"created","planeProject":"proj-r",
                     "planeIssue":"item-%s"}""".formatted(task, task)).post("/tasks").then().statusCode(201);
            transition(task, "created", "analysis", "operator").then().statusCode(200);
        }

        ExecutorService replicas = Executors.newFixedThreadPool(REPLICAS);
        CyclicBarrier start = new CyclicBarrier(REPLICAS);
        try {
            List<Future<Integer>> drained = new ArrayList<>();
            for (int r = 0; r < REPLICAS; r++) {
                drained.add(replicas.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    int done = 0;
                    for (int round = 0; round < 5; round++) {
                        done += worker.drainNow().await().atMost(Duration.ofSeconds(60));
                    }
                    return done;
                }));
            }
            int total = 0;
            for (Future<Integer> f : drained) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(TASKS, total, "each sync completed by exactly one replica");
        } finally {
            replicas.shutdownNow();
        }

        for (String task : tasks) {
            String item = "/api/v1/workspaces/acme/projects/proj-r/work-items/item-" + task + "/";
            plane.verify(1, patchRequestedFor(urlEqualTo(item)));
            plane.verify(1, postRequestedFor(urlEqualTo(item + "comments/")));
            assertEquals(1, count("SELECT count(*) FROM stage.plane_sync WHERE task_id = ? AND status = 'done'", task));
        }
    }

    @Test
    void theBudgetIsTheClustersNotEachReplicas() throws Exception {
        int limit = config.requestsPerMinute();
        AtomicInteger granted = new AtomicInteger();
        ExecutorService replicas = Executors.newFixedThreadPool(REPLICAS);
        CyclicBarrier start = new CyclicBarrier(REPLICAS);
        try {
            List<Future<?>> asks = new ArrayList<>();
            for (int r = 0; r < REPLICAS; r++) {
                asks.add(replicas.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    // Each replica asks for the whole budget, as a replica with its own limiter would take.
                    for (int i = 0; i < limit; i++) {
                        if (budget.tryAcquire(1).await().atMost(Duration.ofSeconds(30))) {
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : asks) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            replicas.shutdownNow();
        }
        assertEquals(limit, granted.get(), "grants in one minute across " + REPLICAS + " replicas");
        assertTrue(!budget.tryAcquire(1).await().atMost(Duration.ofSeconds(10)), "the minute's budget is spent");
        assertEquals(limit, count("SELECT count(*) FROM stage.rate_grant WHERE budget = ?", PlaneBudget.BUDGET));
    }
}
