package dev.baton.stage.lease;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.ProbeEffect;
import dev.baton.stage.config.LivenessConfig;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.history;
import static dev.baton.stage.StageApi.holdsLivenessLock;
import static dev.baton.stage.StageApi.leases;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drain shorter than the effect in hand: the liveness lock is released when the drain's time is
 * up, and the transition is left for recovery — a stale lease and a {@code started} effect, nothing
 * of its commit written — never half-done.
 */
@QuarkusTest
@TestProfile(InFlightDrainTimeoutTest.ShortDrain.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class InFlightDrainTimeoutTest {

    /** Its own application (the drain ends its liveness for good), with a drain shorter than the held effect. */
    public static class ShortDrain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.liveness.drain-timeout", "1s");
        }
    }

    @Inject
    ProbeEffect probe;
    @Inject
    Liveness liveness;
    @Inject
    LivenessConfig config;

    @Test
    void aTransitionSlowerThanTheDrainIsLeftForRecoveryNotHalfDone() throws Exception {
        String task = newTaskId("SLOW");
        createTask(task, GUARDED_REPO, "development");
        UUID me = liveness.current().orElseThrow().bootId();
        InFlightTest.Held held = InFlightTest.insideItsEffect(probe, task);

        long start = System.nanoTime();
        assertFalse(liveness.drainThenRelease(config.drainTimeout()), "the effect outlasted the drain");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0,
                "the drain is bounded by BATON_LIVENESS_DRAIN_TIMEOUT");

        assertFalse(holdsLivenessLock(me), "the lock went with the drain's end");
        assertEquals(1L, count("SELECT count(*) FROM stage.transition_lease WHERE task_id = ? AND owner_instance = '"
                + me + "'", task), "the lease stays, its owner now dead to every other replica: stale");
        assertEquals("started", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        assertEquals("development", stageOf(task));
        assertEquals(1, history(task), "nothing of the commit was written");
        assertEquals(0, outbox(task, "StageAdvanced"));

        // Whatever ends it (here the owner's late commit, nobody having reclaimed yet), the transition is whole.
        held.effect().complete(null);
        held.answer().get(10, TimeUnit.SECONDS).then().body("outcome", equalTo("advanced"));
        assertEquals("review", stageOf(task));
        assertEquals(2, history(task));
        assertEquals(1, outbox(task, "StageAdvanced"));
        assertEquals(0, leases(task));
        assertEquals(1, probe.applied(task), "the effect ran once");
    }
}
