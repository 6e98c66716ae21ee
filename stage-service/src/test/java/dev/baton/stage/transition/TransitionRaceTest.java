package dev.baton.stage.transition;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.ProbeEffect;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.UNGUARDED_REPO;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.transition.TransitionRace.ACTORS;
import static dev.baton.stage.transition.TransitionRace.ROUNDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incident class: five actors enter the same side-effectful transition at once. With the
 * lease every round runs the effect exactly once; outside the lease's scope (the pre-lease
 * path) the same race runs it more than once, which proves the race is real.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class TransitionRaceTest {

    @Inject
    ProbeEffect probe;

    @TestHTTPResource("/")
    URL base;

    @Test
    void fiveActorsRacingRunTheEffectExactlyOncePerTransition() throws Exception {
        TransitionRace.Result race = TransitionRace.run(base, GUARDED_REPO, "RACE");
        for (String task : race.tasks()) {
            assertEquals(1, probe.applied(task), "effect runs for " + task);
            assertEquals("review", stageOf(task), "final stage of " + task);
            assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'advance'",
                    task), "one history row for " + task);
            assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? "
                    + "AND event_type = 'StageAdvanced'", task), "one event for " + task);
        }
        assertEquals(ROUNDS, race.count("advanced"), "one winner per round: " + race.outcomes());
        assertEquals(ROUNDS * (ACTORS - 1), race.count("already") + race.count("deferred") + race.count("lost-race"),
                "every other actor deferred or found it done: " + race.outcomes());
    }

    @Test
    void outsideTheLeaseScopeTheSameRaceDuplicatesEffects() throws Exception {
        TransitionRace.Result race = TransitionRace.run(base, UNGUARDED_REPO, "NOLEASE");
        int effects = race.tasks().stream().mapToInt(probe::applied).sum();
        assertTrue(effects > ROUNDS, "the unguarded path duplicates effects: " + effects + " for " + ROUNDS
                + " transitions, outcomes " + race.outcomes());
    }
}
