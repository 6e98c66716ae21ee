package dev.baton.stage.inbound;

import com.github.tomakehurst.wiremock.WireMockServer;
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
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.inbound.InboundApplyTest.envelope;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replayed webhook events on the real broker are applied once. Each test ends with a sentinel
 * event for the same work item (one partition, applied in order per work item): once the sentinel
 * is applied, every copy before it has been consumed, so the counts that follow are final. The
 * counts are of effects — stage changes, history rows, outbox events, merges at Gitea — never of a
 * table keyed by the event id. A database that refuses a webhook holds it: it is applied once
 * the database takes it, still once.
 */
@QuarkusTest
@TestProfile(RealPipelineOutside.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class InboundReplayTest {

    KafkaTestClient kafka;
    WireMockServer gitea;

    @BeforeEach
    void broker() {
        kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        gitea = OutsideWireMock.server();
        gitea.resetAll();
    }

    @Test
    void aStaleStateChangeReplayedAfterANewerOneMovesNothing() {
        String task = newTaskId("REPLAY");
        createTask(task, "acme/replay", "development");
        String toReview = planeState(task, "Review");

        kafka.send(Topics.INBOUND, task, toReview);
        kafka.send(Topics.INBOUND, task, planeState(task, "Development"));
        // Plane (or the gateway after a crash) delivers the first change again, after the newer one.
        kafka.send(Topics.INBOUND, task, toReview);
        sentinel(task);

        assertEquals("development", stageOf(task), "the replay did not move the task back to review");
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'advance'", task));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'rollback'", task));
        assertEquals(2, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? "
                + "AND event_type IN ('StageAdvanced', 'StageRolledBack')", task), "one event per applied change");
    }

    @Test
    void aMergingStateChangeDeliveredTwiceMergesOnce() {
        String task = newTaskId("REMERGE");
        createTask(task, "acme/replay", "review");
        given().contentType(ContentType.JSON).body("{\"number\":7,\"headSha\":\"%s\"}".formatted(InboundApplyTest.SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);
        gitea.stubFor(post(urlPathMatching("/api/v1/repos/acme/replay/pulls/7/merge"))
                .willReturn(aResponse().withStatus(200)));
        gitea.stubFor(get(urlPathMatching("/api/v1/repos/acme/replay/pulls/7/merge"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"The target couldn't be found.\"}")));
        String toTesting = planeState(task, "Testing");

        kafka.send(Topics.INBOUND, task, toTesting);
        kafka.send(Topics.INBOUND, task, toTesting);
        sentinel(task);

        assertEquals("testing", stageOf(task));
        gitea.verify(1, postRequestedFor(urlPathMatching("/api/v1/repos/acme/replay/pulls/7/merge")));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'advance'", task));
        assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? "
                + "AND event_type IN ('StageAdvanced', 'StageRolledBack')", task));
    }

    @Test
    void aCreatedWorkItemReplayedMakesOneTaskWithOneHistoryRowAndOneEvent() {
        String key = newTaskId("RECREATE");
        String created = envelope("plane:" + UUID.randomUUID(), key, "PlaneWorkItemCreated", new JsonObject()
                .put("workItemId", "uuid-" + key).put("workItemKey", key).put("projectId", "proj-9").put("name", "t"));

        kafka.send(Topics.INBOUND, key, created);
        kafka.send(Topics.INBOUND, key, created);
        sentinel(key);

        assertEquals("created", stageOf(key));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ?", key));
        assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = 'TaskCreated'",
                key));
        assertEquals(0, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type <> 'TaskCreated'",
                key));
    }

    /**
     * The database refuses to store a webhook (here a trigger raising on its event id; in the 15-minute
     * chaos soak a PostgreSQL restart): the record is held and tried again, other work items go on,
     * and once the database takes it the event is applied once and the channel keeps consuming. A
     * nack (as before) stopped the channel for good: one try, and no later event applied.
     */
    @Test
    void aWebhookTheDatabaseRefusesIsHeldAndAppliedOnceItTakesIt() throws Exception {
        String held = newTaskId("REFUSED");
        String other = newTaskId("BESIDE");
        createTask(held, "acme/replay", "development");
        createTask(other, "acme/replay", "development");
        String refusedId = "refused:" + UUID.randomUUID();
        sql("CREATE SEQUENCE stage.refused_tries",
                "CREATE FUNCTION stage.refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "IF NEW.event_id LIKE 'refused:%' THEN PERFORM nextval('stage.refused_tries'); "
                        + "RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER refuse_event BEFORE INSERT ON stage.inbound_event "
                        + "FOR EACH ROW EXECUTE FUNCTION stage.refuse_event()");
        try {
            kafka.send(Topics.INBOUND, held, InboundApplyTest.envelope(refusedId, held, "PlaneStateChanged",
                    new JsonObject().put("workItemKey", held).put("stateName", "Review")));
            // Tried again and again (nextval is not rolled back with the refused insert)...
            await().atMost(Duration.ofSeconds(30)).until(() -> refusedTries() >= 3);
            // ...while another work item's event on the same channel is applied.
            kafka.send(Topics.INBOUND, other, planeState(other, "Review"));
            await().atMost(Duration.ofSeconds(30)).until(() -> "review".equals(stageOf(other)));
            assertEquals("development", stageOf(held));
        } finally {
            sql("DROP TRIGGER refuse_event ON stage.inbound_event", "DROP FUNCTION stage.refuse_event()",
                    "DROP SEQUENCE stage.refused_tries");
        }
        sentinel(held);

        assertEquals("applied", text("SELECT status FROM stage.inbound_event WHERE event_id = ?", refusedId));
        assertEquals("review", stageOf(held));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'advance'", held));
        assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? "
                + "AND event_type = 'StageAdvanced'", held));
    }

    private static long refusedTries() throws Exception {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             Statement statement = c.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM stage.refused_tries")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sql(String... statements) throws Exception {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             Statement statement = c.createStatement()) {
            for (String each : statements) {
                statement.execute(each);
            }
        }
    }

    /** A last event for the work item, applied after every one sent before it. */
    private void sentinel(String workItem) {
        String sha = UUID.randomUUID().toString().replace("-", "") + "00000000";
        String eventId = "gitea:" + UUID.randomUUID();
        kafka.send(Topics.INBOUND, workItem, envelope(eventId, workItem, "GiteaStatusReported", new JsonObject()
                .put("repo", "acme/replay").put("sha", sha).put("state", "success").put("context", "sentinel")));
        await().atMost(Duration.ofSeconds(30)).until(() -> "applied".equals(
                text("SELECT status FROM stage.inbound_event WHERE event_id = ?", eventId)));
    }

    private static String planeState(String task, String state) {
        return envelope("plane:" + UUID.randomUUID(), task, "PlaneStateChanged",
                new JsonObject().put("workItemKey", task).put("stateName", state));
    }
}
