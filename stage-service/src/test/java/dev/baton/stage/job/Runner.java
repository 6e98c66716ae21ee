package dev.baton.stage.job;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A test agent runner speaking the runner protocol over REST. */
final class Runner {

    final String id;

    Runner(String id) {
        this.id = id;
        register();
    }

    void register() {
        given().contentType(ContentType.JSON)
                .body("{\"runnerId\":\"%s\",\"bootId\":\"%s\"}".formatted(id, UUID.randomUUID()))
                .post("/runners").then().statusCode(200);
    }

    /**
     * Picks queued jobs of {@code stage} until it gets {@code task}'s (other tests' jobs share the
     * queue; the ones picked on the way stay running under this runner). @return its id
     */
    long pickJobOf(String task, String stage) {
        for (int i = 0; i < 100; i++) {
            Response picked = pick(stage);
            assertEquals(200, picked.statusCode(), "a queued " + stage + " job for " + task);
            if (task.equals(picked.path("taskId"))) {
                return ((Number) picked.path("id")).longValue();
            }
        }
        throw new AssertionError("no " + stage + " job of " + task + " among the queued ones");
    }

    Response pick(String stage) {
        return given().contentType(ContentType.JSON)
                .body("{\"runnerId\":\"%s\",\"stages\":[\"%s\"]}".formatted(id, stage)).post("/jobs/pick");
    }

    /** Picks the stage's job of {@code task} (asserting it is that one), reports runs and exit 0, finalises. */
    Response work(String task, String stage, double... costs) {
        Response picked = pick(stage);
        assertEquals(200, picked.statusCode(), "a job for " + stage + ": " + picked.asString());
        assertEquals(task, picked.path("taskId"));
        long job = ((Number) picked.path("id")).longValue();
        int attempt = 1;
        for (double cost : costs) {
            given().contentType(ContentType.JSON).body("""
                            {"agent":"coder","model":"m-%d","effort":"high","attempt":%d,"costUsd":%s,
                             "tokensIn":100,"tokensOut":50}""".formatted(attempt, attempt, cost))
                    .post("/jobs/" + job + "/runs").then().statusCode(201);
            attempt++;
        }
        given().contentType(ContentType.JSON).body("{\"code\":0}").post("/jobs/" + job + "/exit").then()
                .statusCode(200);
        return given().post("/jobs/" + job + "/finalize");
    }
}
