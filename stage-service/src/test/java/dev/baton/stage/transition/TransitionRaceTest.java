package dev.baton.stage.transition;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.ProbeEffect;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.UNGUARDED_REPO;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incident class: five actors enter the same side-effectful transition at once. With the
 * lease every round runs the effect exactly once; outside the lease's scope (the pre-lease
 * path) the same race runs it more than once, which proves the race is real.
 */
@QuarkusTest
@QuarkusTestResource(value = BatonTestResource.class, restrictToAnnotatedClass = false)
class TransitionRaceTest {

    static final int ACTORS = 5;
    static final int ROUNDS = 30;
    static final String[] ACTOR_KEYS = {"monitor", "plane-webhook", "reconciler", "reaper", "deploy-finalizer"};
    static final Pattern OUTCOME = Pattern.compile("\"outcome\":\"([a-z-]+)\"");

    @Inject
    ProbeEffect probe;

    @TestHTTPResource("/")
    URL base;

    @Test
    void fiveActorsRacingRunTheEffectExactlyOncePerTransition() throws Exception {
        RaceResult race = race(GUARDED_REPO, "RACE");
        for (String task : race.tasks()) {
            assertEquals(1, probe.applied(task), "effect runs for " + task);
            assertEquals("review", stageOf(task), "final stage of " + task);
        }
        assertEquals(ROUNDS, race.outcomes().get("advanced").get(), "one winner per round: " + race.outcomes());
        int losers = race.outcomes().entrySet().stream().filter(e -> !e.getKey().equals("advanced"))
                .mapToInt(e -> e.getValue().get()).sum();
        assertEquals(ROUNDS * (ACTORS - 1), losers, "every other actor deferred or found it done: " + race.outcomes());
        assertTrue(race.outcomes().keySet().stream().allMatch(o -> List.of("advanced", "already", "deferred",
                "lost-race").contains(o)), "only protocol outcomes: " + race.outcomes());
    }

    @Test
    void withoutTheLeaseTheSameRaceDuplicatesEffects() throws Exception {
        RaceResult race = race(UNGUARDED_REPO, "NOLEASE");
        int effects = race.tasks().stream().mapToInt(probe::applied).sum();
        assertTrue(effects > ROUNDS, "the unguarded path duplicates effects: " + effects + " for " + ROUNDS
                + " transitions, outcomes " + race.outcomes());
    }

    record RaceResult(List<String> tasks, Map<String, AtomicInteger> outcomes) {
    }

    private RaceResult race(String repo, String prefix) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(ACTORS);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> tasks = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String task = newTaskId(prefix);
                tasks.add(task);
                createTask(task, repo, "development");
                CyclicBarrier start = new CyclicBarrier(ACTORS);
                List<Future<String>> answers = new ArrayList<>();
                for (int actor = 0; actor < ACTORS; actor++) {
                    String actorKey = ACTOR_KEYS[actor];
                    answers.add(pool.submit(() -> {
                        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "tasks/" + task + "/transitions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("""
                                        {"from":"development","to":"review","actor":"%s","reason":"race"}"""
                                        .formatted(actorKey)))
                                .build();
                        start.await(10, TimeUnit.SECONDS);
                        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
                    }));
                }
                for (Future<String> answer : answers) {
                    Matcher m = OUTCOME.matcher(answer.get(30, TimeUnit.SECONDS));
                    assertTrue(m.find(), "every answer carries an outcome");
                    outcomes.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new RaceResult(tasks, outcomes);
    }
}
