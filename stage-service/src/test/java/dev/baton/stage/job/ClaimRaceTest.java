package dev.baton.stage.job;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OutsideWireMock;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.drainQueue;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The claims the reaper's replicas rely on, raced on the real PostgreSQL: many callers behind a
 * barrier, several rounds, and the winners counted. (reaper-service's own tests only see its fake.)
 */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ClaimRaceTest {

    static final int CALLERS = 6;
    static final int ROUNDS = 5;
    static final int SWEEP_ROUNDS = 3;

    @TestHTTPResource("/")
    URL base;

    HttpClient http;
    ExecutorService threads;

    @BeforeEach
    void callers() {
        drainQueue();
        http = HttpClient.newHttpClient();
        threads = Executors.newFixedThreadPool(CALLERS);
    }

    @AfterEach
    void stopCallers() {
        threads.shutdownNow();
    }

    @Test
    void exactlyOneOfManyRacingCallersClaimsAJob() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String task = newTaskId("JCLAIM");
            createTask(task, "acme/claim-race", "created");
            transition(task, "created", "analysis", "operator").then().statusCode(200);
            long job = ((Number) new Runner("claim-race-" + task).pick("analysis").path("id")).longValue();

            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                String status = i % 2 == 0 ? "done" : "failed";
                bodies.add("{\"expected\":\"running\",\"status\":\"%s\",\"reason\":\"caller-%d\"}".formatted(status, i));
            }
            List<HttpResponse<String>> answers = race("jobs/" + job + "/claim", bodies);

            List<HttpResponse<String>> won = answers.stream().filter(a -> a.statusCode() == 200).toList();
            long lost = answers.stream().filter(a -> a.statusCode() == 409).count();
            assertEquals(1, won.size(), "round " + round + ": one winner, got " + bodies(answers));
            assertEquals(CALLERS - 1, lost, "round " + round + ": everyone else lost: " + bodies(answers));
            String winner = won.get(0).body();
            String status = text("SELECT status FROM stage.job WHERE id = ?::bigint", Long.toString(job));
            String detail = text("SELECT detail FROM stage.job WHERE id = ?::bigint", Long.toString(job));
            assertTrue(winner.contains("\"status\":\"" + status + "\""), "the job holds the winner's status: " + winner);
            assertTrue(bodies.stream().anyMatch(b -> b.contains("\"status\":\"" + status + "\",\"reason\":\""
                    + detail + "\"")), "the job holds the winner's reason, written once: " + detail);
        }
    }

    @Test
    void exactlyOneReplicaGetsASweepTurnAndTheNextOnlyAfterTheInterval() throws Exception {
        // Long enough that the early race lands inside the window even on a loaded machine; checked below.
        double intervalS = 4.0;
        String window = "interval '" + intervalS * 0.9 + " seconds'";
        for (int round = 0; round < SWEEP_ROUNDS; round++) {
            String sweep = "race-" + newTaskId("s").toLowerCase();
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                bodies.add("{\"holder\":\"replica-%d\",\"intervalS\":%s}".formatted(i, intervalS));
            }

            assertEquals(1, granted(race("sweeps/" + sweep + "/claim", bodies)), "round " + round + ": first turn");
            String holder = text("SELECT holder FROM stage.sweep WHERE name = ?", sweep);

            List<HttpResponse<String>> early = race("sweeps/" + sweep + "/claim", bodies);
            // The refusals only mean something if they came inside the interval (by the database's clock).
            assertEquals(1, count("SELECT count(*) FROM stage.sweep WHERE name = ? AND claimed_at > now() - " + window,
                    sweep), "the early race ran inside the interval");
            assertEquals(0, granted(early), "round " + round + ": no second turn inside the interval: " + bodies(early));
            assertEquals(holder, text("SELECT holder FROM stage.sweep WHERE name = ?", sweep));

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> count(
                    "SELECT count(*) FROM stage.sweep WHERE name = ? AND claimed_at <= now() - " + window, sweep) == 1);
            assertEquals(1, granted(race("sweeps/" + sweep + "/claim", bodies)), "round " + round + ": next turn");
        }
    }

    /** Sends one POST per body, all released together by a barrier; the answers in body order. */
    private List<HttpResponse<String>> race(String path, List<String> bodies) throws Exception {
        CyclicBarrier start = new CyclicBarrier(bodies.size());
        List<Future<HttpResponse<String>>> pending = new ArrayList<>();
        for (String body : bodies) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            pending.add(threads.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            }));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (Future<HttpResponse<String>> answer : pending) {
            answers.add(answer.get(30, TimeUnit.SECONDS));
        }
        return answers;
    }

    private static long granted(List<HttpResponse<String>> answers) {
        answers.forEach(a -> assertEquals(200, a.statusCode(), a.body()));
        return answers.stream().filter(a -> a.body().contains("\"granted\":true")).count();
    }

    private static List<String> bodies(List<HttpResponse<String>> answers) {
        return answers.stream().map(a -> a.statusCode() + " " + a.body()).toList();
    }
}
