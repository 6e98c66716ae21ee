package dev.baton.stage.job;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.recovery.RecoveryService;
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
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** merge_pr against Gitea's real answers: each case ends with at most one merge. */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class MergeEffectTest {

    static final String SHA = "89abcdef0123456789abcdef0123456789abcdef";
    static final String JSON = "application/json";

    @Inject
    RecoveryService recovery;
    @Inject
    OtherOwners others;

    WireMockServer gitea;
    String task;
    String mergePath;

    @BeforeEach
    void taskInReviewWithAPullRequest() {
        gitea = OutsideWireMock.server();
        gitea.resetAll();
        task = newTaskId("MERGE");
        int pr = (int) (Math.abs(task.hashCode()) % 100_000) + 1;
        mergePath = "/api/v1/repos/acme/merge/pulls/" + pr + "/merge";
        createTask(task, "acme/merge", "review");
        given().contentType(ContentType.JSON).body("{\"number\":%d,\"headSha\":\"%s\"}".formatted(pr, SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);
    }

    @Test
    void mergeAnswered405ButAlreadyMergedIsDoneWithoutASecondMerge() {
        gitea.stubFor(post(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(405)
                .withHeader("Content-Type", JSON).withBody("{\"message\":\"The PR is already merged\",\"url\":\"\"}")));
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(204)));

        transition(task, "review", "testing", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));
        gitea.verify(1, postRequestedFor(urlEqualTo(mergePath)));
        assertEquals("merged", text("SELECT pr_state FROM stage.task_facts WHERE task_id = ?", task));
    }

    @Test
    void headOutOfDateFailsTheEffectWithARollbackVerdict() {
        gitea.stubFor(post(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", JSON).withBody("{\"message\":\"head out of date\",\"url\":\"\"}")));

        transition(task, "review", "testing", "operator").then().statusCode(502)
                .body("outcome", equalTo("effect-failed"));
        assertEquals("review", stageOf(task));
        assertEquals("failed", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        assertEquals(true, text("SELECT detail FROM stage.transition_effect WHERE task_id = ?", task)
                .contains("rollback verdict"));
        gitea.verify(1, postRequestedFor(urlEqualTo(mergePath)));
    }

    @Test
    void connectionLostDuringTheMergeIsResolvedByAskingGitea() {
        gitea.stubFor(post(urlEqualTo(mergePath)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(204)));

        transition(task, "review", "testing", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));
        gitea.verify(1, postRequestedFor(urlEqualTo(mergePath)));
        gitea.verify(1, getRequestedFor(urlEqualTo(mergePath)));
    }

    @Test
    void aMergeThatTimesOutButHappenedIsDoneWithOneMerge() {
        // The profile's Gitea timeout is 10 s; Gitea merges but answers after 11 s.
        gitea.stubFor(post(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(200).withFixedDelay(11_000)));
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(204)));

        transition(task, "review", "testing", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));
        gitea.verify(1, postRequestedFor(urlEqualTo(mergePath)));
        assertEquals(true, text("SELECT detail FROM stage.transition_effect WHERE task_id = ?", task)
                .contains("confirmed after"));
    }

    @Test
    void tryAgainLaterIsRetriedWithBackoffUntilMerged() {
        gitea.stubFor(post(urlEqualTo(mergePath)).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(405).withHeader("Content-Type", JSON)
                        .withBody("{\"message\":\"Please try again later\",\"url\":\"\"}"))
                .willSetStateTo("ready"));
        gitea.stubFor(post(urlEqualTo(mergePath)).inScenario("busy").whenScenarioStateIs("ready")
                .willReturn(aResponse().withStatus(200)));
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", JSON).withBody("{\"message\":\"The target couldn't be found.\"}")));

        transition(task, "review", "testing", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));
        gitea.verify(2, postRequestedFor(urlEqualTo(mergePath)));
    }

    @Test
    void ownerKilledAfterTheMergeCallIsRecoveredWithOneMerge() {
        // The dead owner's merge reached Gitea before it died; Gitea now says "merged".
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(204)));
        gitea.stubFor(post(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(200)));
        others.diedInside(task, "merge_pr", "review", "testing");

        recovery.sweepNow().await().atMost(Duration.ofSeconds(30));

        assertEquals("testing", stageOf(task));
        gitea.verify(0, postRequestedFor(urlEqualTo(mergePath)));
        assertEquals("done", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        given().get("/tasks/" + task).then().statusCode(200)
                .body("history.find { it.kind == 'advance' }.reason", containsString("re-driven"));
    }
}
