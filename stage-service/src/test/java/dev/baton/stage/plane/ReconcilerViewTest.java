package dev.baton.stage.plane;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipelineOutside;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * What reaper-service's reconciler reads from stage-service, on the real service: every field of
 * {@code GET /tasks?active=true} and {@code GET /pipeline}'s {@code planeStates} by name and value,
 * and the answers it acts on ({@code 409 deferred} is covered by {@code RunnerProtocolTest}). The
 * reaper's WireMock stand-in answers in exactly these shapes.
 */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class ReconcilerViewTest {

    @Inject
    PlaneSyncWorker worker;

    WireMockServer plane;

    @BeforeEach
    void planeAnswers() {
        plane = OutsideWireMock.server();
        plane.resetAll();
        plane.stubFor(patch(urlPathMatching("/api/v1/workspaces/acme/projects/.*")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"id\":\"i\"}")));
        plane.stubFor(post(urlPathMatching("/api/v1/workspaces/acme/projects/.*/comments/")).willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"id\":\"c\"}")));
    }

    @Test
    void activeTasksCarryPlaneIdsAndTheNewestSyncStatus() {
        String mirrored = create(newTaskId("RECON"), "proj-1", "item-1");
        String local = create(newTaskId("RECON"), null, null);
        String finished = create(newTaskId("RECON"), "proj-1", "item-2");
        transition(finished, "created", "cancelled", "operator").then().statusCode(200);
        String task = "find { it.id == '%s' }";

        given().get("/tasks?active=true").then().statusCode(200)
                .body(task.formatted(mirrored) + ".stage", equalTo("created"))
                .body(task.formatted(mirrored) + ".planeProject", equalTo("proj-1"))
                .body(task.formatted(mirrored) + ".planeIssue", equalTo("item-1"))
                .body(task.formatted(mirrored) + ".planeSync", nullValue())
                .body(task.formatted(local) + ".planeIssue", nullValue())
                .body("id", not(hasItem(finished)));

        transition(mirrored, "created", "analysis", "reconciler").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        given().get("/tasks?active=true").then().statusCode(200)
                .body(task.formatted(mirrored) + ".stage", equalTo("analysis"))
                .body(task.formatted(mirrored) + ".planeSync", equalTo("pending"));

        worker.drainNow().await().atMost(Duration.ofSeconds(30));
        given().get("/tasks?active=true").then().statusCode(200)
                .body(task.formatted(mirrored) + ".planeSync", equalTo("done"));
    }

    @Test
    void onlyTheActiveListingIsOffered() {
        given().get("/tasks").then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400));
        given().get("/tasks?active=false").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void pipelineNamesThePlaneStateOfEachMirroredStage() {
        given().get("/pipeline").then().statusCode(200)
                .body("planeStates.analysis", equalTo("state-analysis"))
                .body("planeStates.cancelled", equalTo("state-cancelled"))
                .body("planeStates.development", nullValue());
    }

    @Test
    void aTransitionOutsideThePipelineIsRefusedWith422() {
        String task = create(newTaskId("RECON"), "proj-1", "item-3");

        given().contentType(ContentType.JSON)
                .body("{\"from\":\"created\",\"to\":\"deploy\",\"actor\":\"reconciler\",\"requestId\":\"r-1\"}")
                .post("/tasks/" + task + "/transitions").then().statusCode(422)
                .contentType("application/problem+json").body("status", equalTo(422));
        given().get("/tasks/" + task).then().statusCode(200).body("task.stage", equalTo("created"));
    }

    private static String create(String id, String project, String issue) {
        given().contentType(ContentType.JSON).body("""
                {"id":"%s","repo":"acme/recon","title":"t","stage":"created","planeProject":%s,"planeIssue":%s}"""
                .formatted(id, json(project), json(issue))).post("/tasks").then().statusCode(201);
        return id;
    }

    private static String json(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
