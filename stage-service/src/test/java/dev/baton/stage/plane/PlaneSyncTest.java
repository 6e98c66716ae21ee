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
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** After each committed transition: Plane's state set and one comment added, never duplicated, never blocking. */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class PlaneSyncTest {

    @Inject
    PlaneSyncWorker worker;

    WireMockServer plane;
    String task;
    String item;

    @BeforeEach
    void taskMirroredInPlane() {
        plane = OutsideWireMock.server();
        plane.resetAll();
        task = newTaskId("PLANE");
        item = "/api/v1/workspaces/acme/projects/proj-1/work-items/item-" + task + "/";
        given().contentType(ContentType.JSON).body("""
                {"id":"%s","repo":"acme/plane","title":"t","stage":"created","planeProject":"proj-1",
                 "planeIssue":"item-%s"}""".formatted(task, task)).post("/tasks").then().statusCode(201);
        plane.stubFor(patch(urlEqualTo(item)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"item\",\"state\":\"x\"}")));
        plane.stubFor(post(urlEqualTo(item + "comments/")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"c1\"}")));
    }

    @Test
    void eachTransitionSetsTheStateAndCommentsOnce() {
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        String token = text("SELECT token::text FROM stage.stage_history WHERE task_id = ? AND kind = 'advance'", task);

        worker.drainNow().await().atMost(Duration.ofSeconds(30));

        plane.verify(1, patchRequestedFor(urlEqualTo(item)).withHeader("X-API-Key", equalTo("test-plane-key"))
                .withRequestBody(equalToJson("{\"state\":\"state-analysis\"}")));
        plane.verify(1, postRequestedFor(urlEqualTo(item + "comments/"))
                .withRequestBody(matchingJsonPath("$.external_source", equalTo("baton")))
                .withRequestBody(matchingJsonPath("$.external_id", equalTo(task + ":" + token))));
        assertEquals("done", text("SELECT status FROM stage.plane_sync WHERE task_id = ?", task));
    }

    @Test
    void aRepeatedCommentAnswered409IsDone() {
        transition(task, "created", "analysis", "operator").then().statusCode(200);
        plane.stubFor(post(urlEqualTo(item + "comments/")).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"Comment with the same external id and external source already exists\"}")));

        worker.drainNow().await().atMost(Duration.ofSeconds(30));
        assertEquals("done", text("SELECT status FROM stage.plane_sync WHERE task_id = ?", task));
    }

    @Test
    void planeDownNeverHoldsTheTransitionAndIsRetried() {
        plane.stubFor(patch(urlEqualTo(item)).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "30")
                .withBody("{\"error_code\":429,\"error_message\":\"Too many requests\"}")));

        transition(task, "created", "analysis", "operator").then().statusCode(200);
        worker.drainNow().await().atMost(Duration.ofSeconds(30));

        assertEquals("analysis", text("SELECT stage FROM stage.task WHERE id = ?", task));
        assertEquals("pending", text("SELECT status FROM stage.plane_sync WHERE task_id = ?", task));
        assertEquals(1, count("SELECT attempts FROM stage.plane_sync WHERE task_id = ?", task));
        plane.verify(0, postRequestedFor(urlEqualTo(item + "comments/")));
    }
}
