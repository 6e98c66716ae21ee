package dev.baton.reaper.job;

import com.github.tomakehurst.wiremock.WireMockServer;
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
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two reaper replicas sweeping at the same moments, many times over, against the claim CAS and
 * the sweep turn of stage-service's contract: every reap, transition, force-release and alert
 * happens exactly once.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StageServiceFake.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ReaperReplicasTest {

    static final int ROUNDS = 25;

    @Inject
    StageServiceClient stage;

    @Inject
    AlertPublisher alerts;

    @Inject
    ReaperConfig config;

    @Inject
    TestClock clock;

    WireMockServer wm;
    String tier2Task;
    String tier3Task;
    JobReaper a;
    JobReaper b;

    @BeforeEach
    void reset() {
        StageServiceFake.reset(clock);
        wm = StageServiceFake.server();
        String run = UUID.randomUUID().toString().substring(0, 8);
        tier2Task = "ORCH-T2-" + run;
        tier3Task = "ORCH-T3-" + run;
        // A static snapshot: both replicas keep seeing both jobs as running, the worst case for duplicates.
        wm.stubFor(get(urlPathEqualTo("/jobs")).withQueryParam("status", equalTo("running")).willReturn(okJson(
                Jobs.list(Jobs.exited(201, tier2Task, "development", 0, 400),
                        Jobs.withLease(Jobs.running(202, tier3Task, "testing", 9000), true)))));
        wm.stubFor(get(urlPathEqualTo("/tasks/" + tier2Task + "/gates")).willReturn(okJson("""
                {"taskId":"%s","stage":"development","verdict":"advance","target":"review","verdictKey":"advance",
                 "checks":[{"name":"agent_exit_ok","passed":true,"detail":"exit 0"}],"failed":[]}"""
                .formatted(tier2Task))));
        a = new JobReaper(stage, alerts, config, clock, "replica-a");
        b = new JobReaper(stage, alerts, config, clock, "replica-b");
    }

    /** Both replicas sweep at once each round; then the clock moves one interval. */
    private List<SweepReport> race() {
        List<SweepReport> reports = Uni.combine().all().unis(a.sweep(), b.sweep()).with(SweepReport.class, r -> r)
                .await().atMost(Duration.ofSeconds(30));
        clock.advance(config.interval());
        return reports;
    }

    @Test
    void twoReplicasWithTheSweepTurnSweepOncePerIntervalAndActOnce() {
        int granted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            granted += (int) race().stream().filter(r -> r.turn() == SweepTurn.GRANTED).count();
        }

        assertEquals(ROUNDS, granted, "exactly one replica sweeps per interval");
        assertEquals(ROUNDS, wm.findAll(getRequestedFor(urlPathEqualTo("/jobs"))).size(), "one job list per interval");
        assertExactlyOnceEffects();
    }

    @Test
    void withoutTheSweepTurnBothSweepButTheClaimsStillActOnce() {
        StageServiceFake.withoutSweepEndpoint();
        for (int round = 0; round < ROUNDS; round++) {
            race();
        }

        assertEquals(2 * ROUNDS, wm.findAll(getRequestedFor(urlPathEqualTo("/jobs"))).size());
        assertEquals(2 * ROUNDS, wm.findAll(postRequestedFor(urlPathEqualTo("/jobs/201/claim"))).size(),
                "every sweep of either replica claims; the CAS lets one win");
        assertExactlyOnceEffects();
    }

    private void assertExactlyOnceEffects() {
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + tier2Task + "/transitions"))).size());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/tasks/" + tier3Task + "/transitions"))).size());
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/transition-lease/release"))).size());
        assertEquals(0, wm.findAll(postRequestedFor(urlPathMatching("/tasks/" + tier3Task + "/gates"))).size());
        KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        // Every sweep awaited its publishes' acks: a sentinel sent now comes after all of them.
        assertEquals(1, kafka.publishedBefore(Topics.ALERTS, tier2Task, Duration.ofSeconds(20)).size());
        assertEquals(1, kafka.publishedBefore(Topics.ALERTS, tier3Task, Duration.ofSeconds(20)).size());
    }
}
