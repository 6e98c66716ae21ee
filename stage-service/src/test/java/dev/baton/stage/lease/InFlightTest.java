package dev.baton.stage.lease;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.stage.ProbeEffect;
import dev.baton.stage.config.LivenessConfig;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.holdsLivenessLock;
import static dev.baton.stage.StageApi.leases;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shutdown drain on the real database: once it begins, a new transition is refused and
 * readiness is down, while a transition already inside its effect completes and the liveness lock
 * is kept until it has (so no other replica re-drives it meanwhile); then the lock goes.
 */
@QuarkusTest
@TestProfile(InFlightTest.OwnApplication.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class InFlightTest {

    /** Its own application: the drain ends this application's liveness for good. */
    public static class OwnApplication implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.liveness.drain-timeout", "30s");
        }
    }

    /** A transition whose effect is running and held: release {@code effect} to let it go on. */
    record Held(CompletableFuture<Void> effect, CompletableFuture<Response> answer) {
    }

    @Inject
    ProbeEffect probe;
    @Inject
    Liveness liveness;
    @Inject
    InFlight inFlight;
    @Inject
    LivenessConfig config;

    /** Enters {@code development -> review} of {@code task} and returns once its effect is running. */
    static Held insideItsEffect(ProbeEffect probe, String task) throws Exception {
        CompletableFuture<Void> effect = probe.hold(task);
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> transition(task, "development", "review", "monitor"));
        probe.entered(task).get(10, TimeUnit.SECONDS);
        return new Held(effect, answer);
    }

    @Test
    void aTransitionInsideItsEffectCompletesUnderTheKeptLockWhileNewOnesAreRefused() throws Exception {
        String running = newTaskId("DRAIN");
        String late = newTaskId("LATE");
        createTask(running, GUARDED_REPO, "development");
        createTask(late, GUARDED_REPO, "development");
        UUID me = liveness.current().orElseThrow().bootId();
        Held held = insideItsEffect(probe, running);

        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(
                () -> liveness.drainThenRelease(config.drainTimeout()));
        await().atMost(Duration.ofSeconds(5)).until(inFlight::draining);

        transition(late, "development", "review", "monitor").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "2")
                .body("detail", containsString("shutting down"));
        given().port(ManagementInterface.port()).get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"));
        assertEquals("development", stageOf(late));
        assertEquals(0, leases(late));
        assertEquals(0, probe.applied(late), "a refused transition runs no effect");
        assertTrue(holdsLivenessLock(me), "the lock is kept while a transition is inside its effect");
        assertFalse(drained.isDone());
        assertTrue(inFlight.running() >= 1, "the held transition is counted in flight");

        held.effect().complete(null);
        held.answer().get(10, TimeUnit.SECONDS).then().statusCode(200).body("outcome", equalTo("advanced"));
        assertTrue(drained.get(10, TimeUnit.SECONDS), "the transition ended within the drain");
        assertFalse(holdsLivenessLock(me), "the lock goes once nothing is in flight");
        assertEquals("review", stageOf(running));
        assertEquals(0, leases(running));
        assertEquals(1, probe.applied(running));
        assertEquals(1, outbox(running, "StageAdvanced"));
    }
}
