package dev.baton.stage.effect;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipelineOutside;
import dev.baton.stage.lease.LivenessRegistration;
import dev.baton.stage.recovery.RecoveryService;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A crash inside {@code prod_deploy} (a Gitea workflow dispatch): the owner recorded the effect
 * started and died, not knowing whether its dispatch reached Gitea. Whoever re-enters finds the run
 * by its idempotency key before anything else, and never dispatches blindly a second time.
 */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class WorkflowDispatchResolveTest {

    static final String RUNS = "/api/v1/repos/acme/deploy/actions/runs";
    static final String DISPATCH = "/api/v1/repos/acme/deploy/actions/workflows/deploy.yml/dispatches";

    @Inject
    RecoveryService recovery;
    @Inject
    OtherOwners others;

    WireMockServer gitea;
    String task;

    @BeforeEach
    void taskInStagingWithADispatchThatNobodyCanAnswerFor() {
        gitea = OutsideWireMock.server();
        gitea.resetAll();
        // A blind second dispatch would be accepted, as a real Gitea accepts it: only the count can catch it.
        gitea.stubFor(post(urlPathEqualTo(DISPATCH)).willReturn(aResponse().withStatus(204)));
        task = newTaskId("DISPATCH");
        createTask(task, "acme/deploy", "deploy-staging");
    }

    @Test
    void aDispatchThatLeftBeforeTheCrashIsFoundByItsKeyAndDeploysOnce() {
        String key = diedInsideTheDispatch();
        runs(run(54, "Deploy " + key));

        recovery.sweepNow().await().atMost(Duration.ofSeconds(30));

        assertEquals("deploy", stageOf(task));
        assertEquals("done", effectStatus());
        gitea.verify(0, postRequestedFor(urlPathEqualTo(DISPATCH)));
        gitea.verify(getRequestedFor(urlPathEqualTo(RUNS)));
        assertEquals(0, outbox(task, "EffectInDoubt"));
    }

    @Test
    void giteaWithoutTheRunLeavesItInDoubtWithOneAlertAndTheRunAppearingLaterIsDoneByTheNextEntry() {
        String key = diedInsideTheDispatch();
        // Gitea knows other runs, of other work items and of an earlier transition of this one, not ours.
        runs(run(50, "Deploy " + task + ":999:prod_deploy"), run(51, "Deploy OTHER-1:" + key.split(":", 2)[1]));

        recovery.sweepNow().await().atMost(Duration.ofSeconds(30));

        assertEquals("in_doubt", effectStatus());
        assertEquals("deploy-staging", stageOf(task), "an effect in doubt moves nothing");
        assertEquals(1, outbox(task, "EffectInDoubt"));
        gitea.verify(0, postRequestedFor(urlPathEqualTo(DISPATCH)));

        // Entered again while Gitea still cannot tell: in doubt again, still no dispatch.
        transition(task, "deploy-staging", "deploy", "operator").then().body("outcome", equalTo("in-doubt"));
        assertEquals("in_doubt", effectStatus());
        gitea.verify(0, postRequestedFor(urlPathEqualTo(DISPATCH)));

        // The run shows up (Gitea's queue was slow): the next entry marks the effect done and advances.
        runs(run(50, "Deploy " + task + ":999:prod_deploy"), run(55, "Deploy " + key));
        transition(task, "deploy-staging", "deploy", "operator").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        assertEquals("deploy", stageOf(task));
        assertEquals("done", effectStatus());
        gitea.verify(0, postRequestedFor(urlPathEqualTo(DISPATCH)));
    }

    /** Another owner took the lease, recorded prod_deploy started and died; returns the key it dispatched with. */
    private String diedInsideTheDispatch() {
        LivenessRegistration owner = others.register();
        long token = others.acquire(task, owner, "deploy-finalizer", "deploy-staging", "deploy");
        others.startedEffect(task, "prod_deploy", token, "deploy-staging", "deploy");
        owner.sever().await().atMost(Duration.ofSeconds(5));
        return task + ":" + token + ":prod_deploy";
    }

    private void runs(String... runs) {
        gitea.stubFor(get(urlPathEqualTo(RUNS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"total_count\":%d,\"workflow_runs\":[%s]}".formatted(runs.length, String.join(",", runs)))));
    }

    private static String run(long id, String title) {
        return """
                {"id":%d,"display_title":"%s","path":"deploy.yml@refs/heads/main","event":"workflow_dispatch",
                 "head_branch":"main","status":"in_progress","conclusion":"","created_at":"2026-12-01T03:00:00Z"}"""
                .formatted(id, title);
    }

    private String effectStatus() {
        return text("SELECT status FROM stage.transition_effect WHERE task_id = ? AND effect = 'prod_deploy'", task);
    }
}
