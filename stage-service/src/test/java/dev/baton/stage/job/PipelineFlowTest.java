package dev.baton.stage.job;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OutsideWireMock;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.drainQueue;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A work item driven from {@code created} to {@code done} through the runner protocol, with real effects against a fake Gitea. */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class PipelineFlowTest {

    static final String REPO = "acme/shop";
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    WireMockServer gitea;

    @BeforeEach
    void fakeGitea() {
        drainQueue();
        gitea = OutsideWireMock.server();
        gitea.resetAll();
        gitea.stubFor(post(urlPathMatching("/api/v1/repos/acme/shop/pulls/\\d+/merge"))
                .willReturn(aResponse().withStatus(200)));
        gitea.stubFor(post(urlPathMatching("/api/v1/repos/acme/shop/actions/workflows/.+/dispatches"))
                .willReturn(aResponse().withStatus(204)));
        gitea.stubFor(get(urlPathMatching("/api/v1/repos/acme/shop/pulls/\\d+/merge"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"The target couldn't be found.\",\"url\":\"http://gitea/api/swagger\"}")));
    }

    @Test
    void workItemTravelsFromCreatedToDoneWithEachEffectOnce() {
        String task = newTaskId("FLOW");
        createTask(task, REPO, "created");
        Runner runner = new Runner("runner-" + task);

        transition(task, "created", "analysis", "plane-webhook").then().statusCode(200);
        runner.work(task, "analysis", 0.10).then().statusCode(200).body("transition.outcome", equalTo("advanced"));
        given().contentType(ContentType.JSON).body("{\"by\":\"pm\"}").post("/tasks/" + task + "/approval").then()
                .statusCode(204);
        transition(task, "brd-approval", "architecture", "monitor").then().statusCode(200);
        runner.work(task, "architecture", 0.20).then().body("transition.outcome", equalTo("advanced"));

        given().contentType(ContentType.JSON)
                .body("{\"number\":7,\"url\":\"http://gitea/acme/shop/pulls/7\",\"headSha\":\"%s\"}".formatted(SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);
        runner.work(task, "development", 1.00, 0.50).then().body("transition.outcome", equalTo("advanced"));

        // Review: CI must be green for the head SHA before the merge.
        runner.work(task, "review", 0.30).then().statusCode(200).body("status", equalTo("failed"))
                .body("gates.verdictKey", equalTo("rollback:development"))
                .body("gates.failed", hasItem("gate.ci_green.failed"));
        assertEquals("development", stageOf(task), "a failed review goes back to development");
        runner.work(task, "development", 0.40).then().body("transition.to", equalTo("review"));
        given().contentType(ContentType.JSON)
                .body("{\"repo\":\"%s\",\"sha\":\"%s\",\"context\":\"ci/build\",\"state\":\"success\"}"
                        .formatted(REPO, SHA))
                .post("/statuses").then().statusCode(204);
        runner.work(task, "review", 0.30).then().body("transition.outcome", equalTo("advanced"))
                .body("transition.stage", equalTo("testing"));

        given().contentType(ContentType.JSON).body("{\"percent\":85.5}").post("/tasks/" + task + "/coverage").then()
                .statusCode(204);
        runner.work(task, "testing", 0.25).then().body("transition.stage", equalTo("deploy-staging"));
        given().contentType(ContentType.JSON).body("{\"environment\":\"staging\",\"state\":\"success\"}")
                .post("/tasks/" + task + "/deploy-status").then().statusCode(204);
        runner.work(task, "deploy-staging").then().body("transition.stage", equalTo("deploy"));
        given().contentType(ContentType.JSON).body("{\"environment\":\"production\",\"state\":\"success\"}")
                .post("/tasks/" + task + "/deploy-status").then().statusCode(204);
        runner.work(task, "deploy").then().body("transition.stage", equalTo("done"));

        assertEquals("done", stageOf(task));
        gitea.verify(1, postRequestedFor(urlEqualTo("/api/v1/repos/acme/shop/pulls/7/merge"))
                .withRequestBody(equalToJson("{\"Do\":\"merge\",\"head_commit_id\":\"" + SHA + "\"}")));
        gitea.verify(1, postRequestedFor(urlEqualTo("/api/v1/repos/acme/shop/actions/workflows/image.yml/dispatches"))
                .withRequestBody(matchingJsonPath("$.inputs.work_item", com.github.tomakehurst.wiremock.client.WireMock
                        .equalTo(task))));
        gitea.verify(1, postRequestedFor(urlEqualTo("/api/v1/repos/acme/shop/actions/workflows/deploy.yml/dispatches")));
        assertEquals(1, count("SELECT count(*) FROM stage.transition_effect WHERE task_id = ? "
                + "AND effect = 'coverage_ratchet' AND status = 'done'", task));
        assertEquals("85.50", text("SELECT floor::text FROM stage.coverage_floor WHERE repo = ?", REPO));
        assertEquals("3.05", text("SELECT sum(cost_usd)::numeric(8,2)::text FROM stage.agent_run WHERE task_id = ?",
                task));
        given().get("/queue").then().statusCode(200)
                .body("transitionLease.workItem", not(hasItem(task)))
                .body("jobs.taskId", not(hasItem(task)));
    }

    @Test
    void theRatchetNeverLowersTheFloor() {
        String high = newTaskId("HIGH");
        String low = newTaskId("LOW");
        for (String task : new String[] {high, low}) {
            createTask(task, "acme/ratchet", "testing");
            given().contentType(ContentType.JSON).body("{\"percent\":%s}".formatted(task.equals(high) ? "90" : "70"))
                    .post("/tasks/" + task + "/coverage").then().statusCode(204);
            given().contentType(ContentType.JSON).body("{\"number\":1,\"headSha\":\"%s\"}".formatted(SHA))
                    .post("/tasks/" + task + "/pull-request").then().statusCode(204);
        }
        gitea.stubFor(post(urlPathMatching("/api/v1/repos/acme/ratchet/actions/workflows/.+/dispatches"))
                .willReturn(aResponse().withStatus(204)));
        transition(high, "testing", "deploy-staging", "operator").then().statusCode(200);
        transition(low, "testing", "deploy-staging", "operator").then().statusCode(200);
        assertEquals("90.00", text("SELECT floor::text FROM stage.coverage_floor WHERE repo = ?", "acme/ratchet"));
    }

    @Test
    void gatesAreReadOnlyAndSayWhy() {
        String task = newTaskId("GATE");
        createTask(task, REPO, "review");
        long historyBefore = count("SELECT count(*) FROM stage.stage_history WHERE task_id = ?", task);
        given().get("/tasks/" + task + "/gates").then().statusCode(200)
                .body("verdict", equalTo("rollback")).body("target", equalTo("development"))
                .body("verdictKey", equalTo("rollback:development"))
                .body("failed", hasItem("gate.agent_exit_ok.failed"))
                .body("checks.name", hasItem("ci_green"));
        transition(task, "review", "testing", "monitor").then().statusCode(409)
                .body("outcome", equalTo("gates-failed")).body("gates.target", equalTo("development"));
        assertEquals(historyBefore, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ?", task));
        assertEquals(0, count("SELECT count(*) FROM stage.transition_lease WHERE task_id = ?", task));
        gitea.verify(0, postRequestedFor(urlPathMatching(".*/merge")));
        given().get("/tasks/NOPE-9/gates").then().statusCode(404).contentType("application/problem+json");
    }
}
