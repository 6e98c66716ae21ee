package dev.baton.stage.transition;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.ProbeEffect;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;

import java.net.URL;
import java.util.Map;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.transition;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code BATON_TRANSITION_LEASE_ENABLED=false}: the pre-lease path, with no lease rows, recorded as unguarded. */
@QuarkusTest
@TestProfile(KillSwitchTest.LeaseOff.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class KillSwitchTest {

    public static class LeaseOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.transition-lease.enabled", "false");
        }
    }

    @Inject
    ProbeEffect probe;

    @TestHTTPResource("/")
    URL base;

    @Test
    void theRaceTestHasTeethWithTheSwitchOff() throws Exception {
        TransitionRace.Result race = TransitionRace.run(base, GUARDED_REPO, "OFFRACE");
        int effects = race.tasks().stream().mapToInt(probe::applied).sum();
        assertTrue(effects > TransitionRace.ROUNDS, "duplicates with the lease off: " + effects + " effects for "
                + TransitionRace.ROUNDS + " transitions, outcomes " + race.outcomes());
    }

    @Test
    void theLeaseIsInertAndTheWriteIsUnguarded() {
        String task = newTaskId("OFF");
        createTask(task, GUARDED_REPO, "development");
        long leasesBefore = count("SELECT count(*) FROM stage.transition_lease WHERE task_id <> ?", task);

        transition(task, "development", "review", "monitor").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        transition(task, "development", "review", "monitor").then().statusCode(200)
                .body("outcome", equalTo("already"));
        transition(task, "testing", "deploy-staging", "monitor").then().statusCode(409)
                .body("outcome", equalTo("conflict")).body("stage", equalTo("review"));

        assertEquals("review", stageOf(task));
        assertEquals(1, probe.applied(task));
        assertEquals(0, count("SELECT count(*) FROM stage.transition_effect WHERE task_id = ?", task),
                "no ledger without the lease");
        assertEquals(leasesBefore, count("SELECT count(*) FROM stage.transition_lease WHERE task_id <> ?", task));
        assertEquals(0, count("SELECT count(*) FROM stage.transition_lease WHERE task_id = ?", task));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND NOT guarded", task));
    }
}
