package dev.baton.reaper.job;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.TestClock;
import dev.baton.reaper.client.StageServiceClient;
import dev.baton.reaper.client.SweepTurn;
import dev.baton.reaper.config.ReaperConfig;
import dev.baton.reaper.messaging.AlertPublisher;
import dev.baton.reaper.support.Jobs;
import dev.baton.reaper.support.StageServiceFake;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three tiers, the grace, claim-before-act and the lease rules, against stage-service's wire contract. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StageServiceFake.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class JobReaperTest {

    @Inject
    JobReaper reaper;

    @Inject
    StageServiceClient stage;

    @Inject
    AlertPublisher alerts;

    @Inject
    ReaperConfig config;

    @Inject
    TestClock clock;

    WireMockServer wm;
    String task;

    @BeforeEach
    void reset() {
        StageServiceFake.reset(clock);
        wm = StageServiceFake.server();
        task = "ORCH-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void running(String json) {
        wm.stubFor(get(urlPathEqualTo("/jobs")).withQueryParam("status", equalTo("running")).willReturn(okJson(json)));
    }

    private void gates(String stageKey, String verdict, String target, String verdictKey) {
        wm.stubFor(get(urlPathEqualTo("/tasks/" + task + "/gates")).willReturn(okJson("""
                {"taskId":"%s","stage":"%s","verdict":"%s",%s"verdictKey":"%s",
                 "checks":[{"name":"agent_exit_ok","passed":true,"detail":"exit 0"}],"failed":[]}"""
                .formatted(task, stageKey, verdict, target == null ? "" : "\"target\":\"" + target + "\",", verdictKey))));
    }

    private SweepReport sweep(JobReaper replica) {
        clock.advance(config.interval());
        return replica.sweep().await().atMost(Duration.ofSeconds(20));
    }

    private int count(com.github.tomakehurst.wiremock.matching.RequestPatternBuilder pattern) {
        return wm.findAll(pattern).size();
    }

    /** Every alert of the task so far (each sweep awaits its publishes' acks), proven complete by a sentinel. */
    private List<ConsumerRecord<String, String>> alertsFor(String taskId) {
        return new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap())
                .publishedBefore(Topics.ALERTS, taskId, Duration.ofSeconds(20));
    }

    @Test
    void exitRecorded299sAgoIsNotReaped() {
        running(Jobs.list(Jobs.exited(101, task, "development", 0, 299)));
        gates("development", "advance", "review", "advance");

        SweepReport report = sweep(reaper);

        assertEquals(Decision.Action.LEFT, report.decisions().get(0).action());
        assertEquals(0, count(getRequestedFor(urlPathMatching("/tasks/.*/gates"))));
        assertEquals(0, count(postRequestedFor(urlPathMatching("/jobs/.*/claim"))));
        assertEquals(0, count(postRequestedFor(urlPathMatching("/tasks/.*/transitions"))));
    }

    @Test
    void exitRecorded301sAgoIsReapedClaimFirstThenTransition() throws Exception {
        running(Jobs.list(Jobs.exited(102, task, "development", 0, 301)));
        gates("development", "advance", "review", "advance");

        SweepReport report = sweep(reaper);

        assertEquals(Decision.Action.REAPED, report.decisions().get(0).action());
        assertEquals(Tier.FINALIZE_OVERDUE, report.decisions().get(0).tier());
        // The claim names the transition that follows it: stage-service asks it should this reaper die in between.
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/jobs/102/claim")).withRequestBody(equalToJson("""
                {"expected":"running","status":"done",
                 "then":{"to":"review","actor":"reaper","requestId":"reaper-job-102"}}""", true, true))));
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("""
                        {"from":"development","to":"review","actor":"reaper","requestId":"reaper-job-102"}""",
                        true, true))));
        List<LoggedRequest> order = wm.findAll(anyRequestedFor(anyUrl()));
        int claimAt = indexOf(order, "/jobs/102/claim");
        int transitionAt = indexOf(order, "/tasks/" + task + "/transitions");
        assertTrue(claimAt >= 0 && claimAt < transitionAt, "the claim comes before the transition");

        List<ConsumerRecord<String, String>> published = alertsFor(task);
        assertEquals(1, published.size());
        String alert = published.get(0).value();
        assertTrue(alert.contains("\"eventType\":\"JobReaped\""), alert);
        assertTrue(alert.contains("\"tier\":2") && alert.contains("\"jobId\":102"), alert);
    }

    @Test
    void failedGatesClaimFailedAndAskTheRollback() {
        running(Jobs.list(Jobs.exited(103, task, "review", 1, 900)));
        gates("review", "rollback", "development", "rollback:development");

        sweep(reaper);

        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/jobs/103/claim"))
                .withRequestBody(matchingJsonPath("$.status", equalTo("failed")))
                .withRequestBody(matchingJsonPath("$.then.to", equalTo("development")))));
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("{\"from\":\"review\",\"to\":\"development\",\"actor\":\"reaper\"}",
                        true, true))));
    }

    @Test
    void theLosingReaperMakesNoOtherCall() {
        running(Jobs.list(Jobs.exited(104, task, "development", 0, 400)));
        gates("development", "advance", "review", "advance");
        StageServiceFake.withoutSweepEndpoint();
        JobReaper first = new JobReaper(stage, alerts, config, clock, "replica-a");
        JobReaper second = new JobReaper(stage, alerts, config, clock, "replica-b");

        SweepReport won = sweep(first);
        wm.resetRequests();
        SweepReport lost = sweep(second);

        assertEquals(Decision.Action.REAPED, won.decisions().get(0).action());
        assertEquals(Decision.Action.LOST, lost.decisions().get(0).action());
        // The loser: sweep turn, the job list, the read-only gates, its claim. Nothing after the claim.
        List<LoggedRequest> calls = wm.findAll(anyRequestedFor(anyUrl()));
        assertEquals(List.of("POST /sweeps/job-reaper/claim", "GET /jobs?status=running",
                "GET /tasks/" + task + "/gates", "POST /jobs/104/claim"), calls.stream()
                .map(r -> r.getMethod() + " " + r.getUrl()).toList());
        assertEquals(1, alertsFor(task).size(), "one JobReaped, from the winner only");
    }

    @Test
    void alreadyAdvancedTaskGetsItsJobClosedButNoTransition() {
        var job = Jobs.exited(105, task, "development", 0, 600);
        job.put("taskStage", "review");
        running(Jobs.list(job));

        SweepReport report = sweep(reaper);

        assertEquals(Decision.Action.REAPED, report.decisions().get(0).action());
        assertEquals(0, count(getRequestedFor(urlPathMatching("/tasks/.*/gates"))));
        // No transition follows the claim, so the claim names none.
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/jobs/105/claim"))
                .withRequestBody(matchingJsonPath("$.status", equalTo("done")))));
        assertEquals(0, count(postRequestedFor(urlPathEqualTo("/jobs/105/claim"))
                .withRequestBody(matchingJsonPath("$.then"))));
        assertEquals(0, count(postRequestedFor(urlPathMatching("/tasks/.*/transitions"))));
    }

    @Test
    void liveLeaseDefersTiers1And2AndAStaleOneDoesNot() {
        running(Jobs.list(Jobs.withLease(Jobs.exited(106, task, "development", 0, 600), true),
                Jobs.withLease(Jobs.restarted(107, task, "review"), true)));
        gates("development", "advance", "review", "advance");

        SweepReport deferred = sweep(reaper);

        assertEquals(List.of(Decision.Action.DEFERRED, Decision.Action.DEFERRED),
                deferred.decisions().stream().map(Decision::action).toList());
        assertEquals(0, count(postRequestedFor(urlPathMatching("/jobs/.*/claim"))));
        assertEquals(0, count(postRequestedFor(urlPathMatching("/tasks/.*/transitions"))));

        // The owner died: the lease is stale; the next sweep goes on (stage-service reclaims it inside the transition).
        running(Jobs.list(Jobs.withLease(Jobs.exited(106, task, "development", 0, 630), false)));
        SweepReport applied = sweep(reaper);

        assertEquals(Decision.Action.REAPED, applied.decisions().get(0).action());
        assertEquals(1, count(postRequestedFor(urlPathMatching("/tasks/.*/transitions"))));
        assertEquals(0, count(postRequestedFor(urlPathEqualTo("/transition-lease/release"))));
    }

    @Test
    void tier1RunnerRestartFailsTheJobAndRollsBackOrLeavesTheRequeueToStageService() {
        String other = task + "-dev";
        running(Jobs.list(Jobs.restarted(108, task, "review"), Jobs.restarted(109, other, "development")));

        SweepReport report = sweep(reaper);

        assertEquals(List.of(Decision.Action.REAPED, Decision.Action.LEFT_FOR_REQUEUE),
                report.decisions().stream().map(Decision::action).toList());
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/jobs/108/claim"))
                .withRequestBody(matchingJsonPath("$.status", equalTo("failed")))
                .withRequestBody(matchingJsonPath("$.then.to", equalTo("development")))));
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("{\"from\":\"review\",\"to\":\"development\",\"actor\":\"reaper\"}",
                        true, true))));
        assertEquals(0, count(postRequestedFor(urlPathEqualTo("/jobs/109/claim"))));
        assertEquals(0, count(postRequestedFor(urlPathEqualTo("/tasks/" + other + "/transitions"))));
        String alert = alertsFor(task).get(0).value();
        assertTrue(alert.contains("\"tier\":1") && alert.contains("restarted"), alert);
    }

    @Test
    void tier3ReapsDespiteALiveLeaseAndForceReleasesIt() {
        running(Jobs.list(Jobs.withLease(Jobs.running(110, task, "testing", 7201), true)));

        SweepReport report = sweep(reaper);

        assertEquals(Tier.MAX_RUNNING, report.decisions().get(0).tier());
        assertEquals(Decision.Action.REAPED, report.decisions().get(0).action());
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/jobs/110/claim"))
                .withRequestBody(matchingJsonPath("$.status", equalTo("reaped")))
                .withRequestBody(matchingJsonPath("$.then.to", equalTo("development")))
                .withRequestBody(matchingJsonPath("$.then.requestId", equalTo("reaper-job-110")))));
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/transition-lease/release"))
                .withQueryParam("work_item", equalTo(task))
                .withHeader("Authorization", equalTo("Bearer " + StageServiceFake.ADMIN_TOKEN))));
        assertEquals(1, count(postRequestedFor(urlPathEqualTo("/tasks/" + task + "/transitions"))
                .withRequestBody(equalToJson("{\"from\":\"testing\",\"to\":\"development\",\"actor\":\"reaper\"}",
                        true, true))));
        List<LoggedRequest> order = wm.findAll(anyRequestedFor(anyUrl()));
        assertTrue(indexOf(order, "/jobs/110/claim") < indexOf(order, "/transition-lease/release"),
                "only the claim winner force-releases");
        String alert = alertsFor(task).get(0).value();
        assertTrue(alert.contains("\"tier\":3") && alert.contains("force-released"), alert);
    }

    @Test
    void jobUnderTheCeilingIsNotTier3() {
        running(Jobs.list(Jobs.withLease(Jobs.running(111, task, "testing", 7200), true)));

        SweepReport report = sweep(reaper);

        assertEquals(Decision.Action.LEFT, report.decisions().get(0).action());
        assertEquals(0, count(postRequestedFor(urlPathEqualTo("/jobs/111/claim"))));
    }

    @Test
    void anotherReplicasSweepTurnMeansNoReadAtAll() {
        running(Jobs.list(Jobs.exited(112, task, "development", 0, 900)));
        gates("development", "advance", "review", "advance");
        JobReaper other = new JobReaper(stage, alerts, config, clock, "replica-other");
        sweep(other);
        wm.resetRequests();

        SweepReport report = reaper.sweep().await().atMost(Duration.ofSeconds(20));

        assertEquals(SweepTurn.TAKEN, report.turn());
        assertEquals(0, count(getRequestedFor(urlPathEqualTo("/jobs"))));
    }

    @Test
    void stageServiceErrorsNeverEndTheSweep() {
        running(Jobs.list(Jobs.exited(113, task, "development", 0, 900), Jobs.exited(114, task + "-b", "development",
                0, 900)));
        gates("development", "advance", "review", "advance");
        wm.stubFor(get(urlPathEqualTo("/tasks/" + task + "/gates")).atPriority(1).willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503)
                        .withHeader("Content-Type", "application/problem+json")
                        .withBody("{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"liveness lost\"}")));
        wm.stubFor(get(urlPathEqualTo("/tasks/" + task + "-b/gates")).willReturn(okJson("""
                {"taskId":"%s-b","stage":"development","verdict":"advance","target":"review","verdictKey":"advance",
                 "checks":[],"failed":[]}""".formatted(task))));
        wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlPathEqualTo("/tasks/" + task
                + "-b/transitions")).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                .withStatus(502).withHeader("Content-Type", "application/json")
                .withBody("{\"outcome\":\"effect-failed\",\"detail\":\"merge refused\"}")));

        SweepReport report = sweep(reaper);

        assertEquals(List.of(Decision.Action.RETRY, Decision.Action.REAPED),
                report.decisions().stream().map(Decision::action).toList());
        assertEquals(3, count(getRequestedFor(urlPathEqualTo("/tasks/" + task + "/gates"))), "a read is retried");
        assertEquals(0, count(postRequestedFor(urlPathEqualTo("/jobs/113/claim"))));
        assertTrue(report.decisions().get(1).detail().contains("effect-failed"));
    }

    private static int indexOf(List<LoggedRequest> requests, String path) {
        // findAll answers in call order.
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).getUrl().startsWith(path)) {
                return i;
            }
        }
        return -1;
    }
}
