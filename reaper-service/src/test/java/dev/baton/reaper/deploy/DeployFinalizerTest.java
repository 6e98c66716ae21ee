package dev.baton.reaper.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.TestClock;
import dev.baton.reaper.client.DeployStatusClient;
import dev.baton.reaper.client.GiteaClient;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.config.FinalizerConfig;
import dev.baton.reaper.support.StageServiceFake;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deploy finalizer follows the Gitea run started by prod_deploy and asks the matching transition. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StageServiceFake.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DeployFinalizerTest {

    static final String RUNS = "/api/v1/repos/baton/app/actions/runs";

    @Inject
    DeployFinalizer finalizer;

    @Inject
    TestClock clock;

    @Inject
    StageServiceClient stage;

    @Inject
    GiteaClient gitea;

    @Inject
    FinalizerConfig config;

    @Inject
    ObjectMapper json;

    WireMockServer wm;
    String task;

    @BeforeEach
    void reset() {
        StageServiceFake.reset(clock);
        wm = StageServiceFake.server();
        task = "ORCH-D-" + UUID.randomUUID().toString().substring(0, 8);
        queue(false);
        wm.stubFor(get(urlPathEqualTo("/tasks/" + task)).willReturn(okJson("""
                {"task":{"id":"%s","repo":"baton/app","title":"Ship it","stage":"deploy","version":9,
                         "createdAt":"2026-11-28T01:00:00Z","updatedAt":"2026-11-28T03:00:00Z"},
                 "history":[],
                 "effects":[{"effect":"prod_deploy","status":"done","token":12,"detail":"old","attempts":1},
                            {"effect":"prod_deploy","status":"done","token":17,"detail":"dispatched","attempts":1}]}"""
                .formatted(task))));
    }

    private void queue(boolean liveLease) {
        wm.stubFor(get(urlPathEqualTo("/queue")).willReturn(okJson("""
                {"stages":{"deploy":1},
                 "jobs":[{"id":301,"taskId":"%s","stage":"deploy","status":"queued"}],
                 "transitionLease":[%s]}""".formatted(task, liveLease ? """
                {"workItem":"%s","ownerActor":"plane-webhook","ownerInstance":"6f1c2d3e-0000-4000-8000-000000000002",
                 "ownerPid":4242,"ownerHost":"stage-0","from":"deploy","to":"development","token":18,"ageS":3,"live":true}"""
                .formatted(task) : ""))));
    }

    private void run(String status, String conclusion) {
        wm.stubFor(get(urlPathEqualTo(RUNS)).withQueryParam("event", equalTo("workflow_dispatch"))
                .withHeader("Authorization", equalTo("token test-gitea-token")).willReturn(okJson("""
                        {"workflow_runs":[
                          {"id":54,"display_title":"%1$s:12:prod_deploy","status":"completed","conclusion":"failure","head_sha":"abc1234"},
                          {"id":55,"display_title":"%1$s:17:prod_deploy","status":"%2$s","conclusion":%3$s,"head_sha":"abc1234"}],
                         "total_count":2}""".formatted(task, status, conclusion == null ? "null" : "\"" + conclusion + "\""))));
    }

    private List<DeployDecision> sweep() {
        clock.advance(Duration.ofSeconds(30));
        return finalizer.sweep().await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void successIsRecordedThenDeployToDoneIsAsked() {
        run("completed", "success");

        List<DeployDecision> decisions = sweep();

        assertEquals(DeployDecision.Action.FINISHED, decisions.get(0).action());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/deploy-status"))
                .withRequestBody(equalToJson("{\"environment\":\"production\",\"state\":\"success\"}"))).size());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("{\"from\":\"deploy\",\"to\":\"done\",\"actor\":\"deploy-finalizer\"}",
                        true, true))).size());
        List<String> order = wm.findAll(anyRequestedFor(anyUrl())).stream().map(LoggedRequest::getUrl).toList();
        assertTrue(order.indexOf("/tasks/" + task + "/deploy-status") < order.indexOf("/tasks/" + task
                + "/transitions"), "the fact is recorded before the transition that its gate checks");
    }

    @Test
    void failureIsRecordedThenTheRollbackIsAsked() {
        run("completed", "failure");

        List<DeployDecision> decisions = sweep();

        assertEquals(DeployDecision.Action.ROLLED_BACK, decisions.get(0).action());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/deploy-status"))
                .withRequestBody(equalToJson("{\"environment\":\"production\",\"state\":\"failure\"}"))).size());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("""
                        {"from":"deploy","to":"development","actor":"deploy-finalizer"}""", true, true))).size());
    }

    @Test
    void aRunStillGoingIsWaitedFor() {
        run("in_progress", null);

        List<DeployDecision> decisions = sweep();

        assertEquals(DeployDecision.Action.WAITING, decisions.get(0).action());
        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/.*"))).size());
    }

    @Test
    void aLiveLeaseDefersAndTheNextSweepApplies() {
        run("completed", "success");
        queue(true);

        List<DeployDecision> deferred = sweep();

        assertEquals(DeployDecision.Action.DEFERRED, deferred.get(0).action());
        assertEquals(0, wm.findAll(getRequestedFor(urlPathEqualTo("/tasks/" + task))).size());
        assertEquals(0, wm.findAll(getRequestedFor(urlPathEqualTo(RUNS))).size());
        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/.*"))).size());

        queue(false);
        List<DeployDecision> applied = sweep();

        assertEquals(DeployDecision.Action.FINISHED, applied.get(0).action());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))).size());
    }

    /** A finalizer replica that follows {@code BATON_FINALIZER_STATUS_URL} instead of Gitea runs. */
    private DeployFinalizer withStatusUrl() {
        FinalizerConfig statusUrl = new FinalizerSettings(config.interval(), config.stage(), config.effect(),
                Optional.of(wm.baseUrl() + "/rollouts/{taskId}?key={key}"), Duration.ofSeconds(2));
        return new DeployFinalizer(stage, gitea, new DeployStatusClient(statusUrl, json), statusUrl, "finalizer-s");
    }

    private void rollout(int status, String body) {
        wm.stubFor(get(urlPathEqualTo("/rollouts/" + task)).withQueryParam("key", equalTo(task + ":17:prod_deploy"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    private List<DeployDecision> sweep(DeployFinalizer finalizer) {
        clock.advance(Duration.ofSeconds(30));
        return finalizer.sweep().await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void aStatusUrlSuccessAsksDeployToDone() {
        rollout(200, "{\"status\":\"success\",\"detail\":\"3/3 replicas ready\"}");

        List<DeployDecision> decisions = sweep(withStatusUrl());

        assertEquals(DeployDecision.Action.FINISHED, decisions.get(0).action());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/deploy-status"))
                .withRequestBody(equalToJson("{\"environment\":\"production\",\"state\":\"success\"}"))).size());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("{\"from\":\"deploy\",\"to\":\"done\",\"actor\":\"deploy-finalizer\"}",
                        true, true))).size());
        assertEquals(0, wm.findAll(getRequestedFor(urlPathEqualTo(RUNS))).size(), "Gitea is not asked");
    }

    @Test
    void aStatusUrlFailureAsksTheRollback() {
        rollout(200, "{\"status\":\"failure\",\"detail\":\"readiness probe failed\"}");

        List<DeployDecision> decisions = sweep(withStatusUrl());

        assertEquals(DeployDecision.Action.ROLLED_BACK, decisions.get(0).action());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("""
                        {"from":"deploy","to":"development","actor":"deploy-finalizer"}""", true, true))).size());
    }

    @Test
    void aStatusUrlStillRollingOrUnansweredWaitsAndAsksNothing() {
        DeployFinalizer finalizer = withStatusUrl();
        rollout(200, "{\"status\":\"running\"}");
        assertEquals(DeployDecision.Action.WAITING, sweep(finalizer).get(0).action());
        rollout(404, "{\"error\":\"unknown rollout\"}");
        assertEquals(DeployDecision.Action.WAITING, sweep(finalizer).get(0).action());
        rollout(503, "{\"error\":\"unavailable\"}");
        assertEquals(DeployDecision.Action.RETRY, sweep(finalizer).get(0).action());

        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/.*"))).size());
    }

    @Test
    void aStatusUrlSuccessUnderALiveLeaseDefers() {
        rollout(200, "{\"status\":\"success\"}");
        queue(true);

        assertEquals(DeployDecision.Action.DEFERRED, sweep(withStatusUrl()).get(0).action());
        assertEquals(0, wm.findAll(getRequestedFor(urlPathEqualTo("/rollouts/" + task))).size());
        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/.*"))).size());
    }

    /** Settings of one replica (a record, not an anonymous class: Quarkus would intercept the constraints on it). */
    private record FinalizerSettings(Duration interval, Optional<String> stage, String effect, Optional<String> statusUrl,
                                     Duration statusTimeout) implements FinalizerConfig {
    }
}
