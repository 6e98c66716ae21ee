package dev.baton.stage.plane;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipelineOutside;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Plane sync's retries, drain by drain: Plane's {@code Retry-After} is waited out, a later
 * drain completes the sync once, and after {@code baton.plane.attempts} the sync is given up with
 * exactly one {@code PlaneSyncFailed} alert on the real broker. The tests move a sync's
 * {@code next_at} to now instead of sleeping through its backoff.
 */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class PlaneSyncRetryTest {

    /** The default of {@code BATON_PLANE_ATTEMPTS} (RealPipeline leaves it). */
    static final int ATTEMPTS = 8;

    @Inject
    PlaneSyncWorker worker;

    WireMockServer plane;
    String task;
    String item;

    @BeforeEach
    void taskMirroredInPlane() {
        plane = OutsideWireMock.server();
        plane.resetAll();
        // Syncs other test classes left pending would share the drains and the budget: park them.
        sql("UPDATE stage.plane_sync SET next_at = now() + interval '1 day' WHERE status = 'pending'", null);
        // Plane's budget is cluster-wide (stage.rate_grant): start this test with the minute's grants unspent.
        sql("DELETE FROM stage.rate_grant WHERE budget = 'plane'", null);
        task = newTaskId("PRETRY");
        item = "/api/v1/workspaces/acme/projects/proj-1/work-items/item-" + task + "/";
        given().contentType(ContentType.JSON).body("""
                {"id":"%s","repo":"acme/plane","title":"t","stage":"created","planeProject":"proj-1",
                 "planeIssue":"item-%s"}""".formatted(task, task)).post("/tasks").then().statusCode(201);
        plane.stubFor(post(urlEqualTo(item + "comments/")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"c1\"}")));
    }

    @Test
    void retryAfterIsWaitedOutAndTheSecondDrainCompletesTheSyncOnce() {
        plane.stubFor(patch(urlEqualTo(item)).inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("Retry-After", "120")
                        .withBody("{\"detail\":\"Request was throttled. Expected available in 120 seconds.\"}"))
                .willSetStateTo("open"));
        plane.stubFor(patch(urlEqualTo(item)).inScenario("throttled").whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"item\",\"state\":\"state-analysis\"}")));
        transition(task, "created", "analysis", "operator").then().statusCode(200);

        assertEquals(0, drain());
        assertEquals(1, count("SELECT attempts FROM stage.plane_sync WHERE task_id = ?", task));
        // The first backoff is 1 s; Plane asked for 120 s, and that is what the sync waits.
        assertEquals(1, count("SELECT count(*) FROM stage.plane_sync WHERE task_id = ? "
                + "AND next_at > now() + interval '100 seconds'", task), "next_at honours Retry-After");
        assertEquals(0, drain(), "not due before Retry-After has passed");
        plane.verify(1, patchRequestedFor(urlEqualTo(item)));

        due();
        assertEquals(1, drain());

        assertEquals("done", text("SELECT status FROM stage.plane_sync WHERE task_id = ?", task));
        plane.verify(2, patchRequestedFor(urlEqualTo(item)));
        plane.verify(1, postRequestedFor(urlEqualTo(item + "comments/")));
        due();
        assertEquals(0, drain(), "a done sync is never sent again");
        plane.verify(1, postRequestedFor(urlEqualTo(item + "comments/")));
    }

    @Test
    void aRetryAfterHeaderWithoutABodyIsHonouredToo() {
        plane.stubFor(patch(urlEqualTo(item)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "45")));
        transition(task, "created", "analysis", "operator").then().statusCode(200);

        assertEquals(0, drain());
        assertEquals(1, count("SELECT count(*) FROM stage.plane_sync WHERE task_id = ? "
                + "AND next_at > now() + interval '40 seconds'", task), "next_at honours Retry-After");
    }

    @Test
    void afterTheLastAttemptTheSyncIsGivenUpWithExactlyOneAlert() {
        // Plane keeps failing the state PATCH, so the comment is never reached.
        plane.stubFor(patch(urlEqualTo(item)).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "text/html").withBody("<html><body><h1>502 Bad Gateway</h1></body></html>")));
        transition(task, "created", "analysis", "operator").then().statusCode(200);

        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            due();
            assertEquals(0, drain());
            assertEquals(attempt, count("SELECT attempts FROM stage.plane_sync WHERE task_id = ?", task));
            assertEquals(attempt < ATTEMPTS ? "pending" : "failed",
                    text("SELECT status FROM stage.plane_sync WHERE task_id = ?", task));
        }
        due();
        assertEquals(0, drain(), "a failed sync is not tried again");
        plane.verify(ATTEMPTS, patchRequestedFor(urlEqualTo(item)));
        plane.verify(0, postRequestedFor(urlEqualTo(item + "comments/")));

        assertEquals(1, outbox(task, "PlaneSyncFailed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> count(
                "SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND sent_at IS NULL", task) == 0);
        List<ConsumerRecord<String, String>> alerts = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap())
                .publishedBefore(Topics.ALERTS, task, Duration.ofSeconds(20));
        assertEquals(1, alerts.size(), "one alert for the work item: " + alerts);
        assertTrue(alerts.get(0).value().contains("\"eventType\":\"PlaneSyncFailed\""), alerts.get(0).value());
    }

    private int drain() {
        return worker.drainNow().await().atMost(Duration.ofSeconds(30));
    }

    /** The sync's backoff is over (as if its time had passed). */
    private void due() {
        sql("UPDATE stage.plane_sync SET next_at = now() WHERE task_id = ? AND status = 'pending'", task);
    }

    private static void sql(String statement, String parameter) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(statement)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(statement, e);
        }
    }
}
