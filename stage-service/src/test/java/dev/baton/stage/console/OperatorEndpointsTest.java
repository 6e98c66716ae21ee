package dev.baton.stage.console;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipeline;
import dev.baton.stage.lease.LivenessRegistration;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.history;
import static dev.baton.stage.StageApi.leases;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.text;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's safety rules and the operator endpoints, over plain HTTP against the real database. */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OperatorEndpointsTest {

    static final String PROBLEM = "application/problem+json";
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @Inject
    OtherOwners others;
    LivenessRegistration owner;

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedAndReleasesNothing() {
        String task = leasedTask("CSRF");
        String admin = session("test-admin-token");

        given().cookie(ConsoleSessions.COOKIE, admin).contentType(ContentType.URLENC).formParam("reason", "x")
                .post("/console/leases/" + task + "/release")
                .then().statusCode(403).contentType(PROBLEM).body("detail", containsString("CSRF"));
        given().cookie(ConsoleSessions.COOKIE, admin).contentType(ContentType.URLENC)
                .formParam("csrf", "forged").post("/console/leases/" + task + "/release")
                .then().statusCode(403).contentType(PROBLEM);
        given().contentType(ContentType.URLENC).formParam("csrf", csrf(admin))
                .post("/console/leases/" + task + "/release").then().statusCode(403).contentType(PROBLEM);

        assertEquals(1, leases(task));
        assertEquals(0, outbox(task, "LeaseReclaimed"));
        assertEquals(1, history(task));
    }

    @Test
    void aReadOnlySessionCannotActEvenWithItsOwnCsrfToken() {
        String task = leasedTask("VIEW");
        String viewer = session("test-console-token");

        given().cookie(ConsoleSessions.COOKIE, viewer).contentType(ContentType.URLENC)
                .formParam("csrf", csrf(viewer)).post("/console/leases/" + task + "/release")
                .then().statusCode(403).contentType(PROBLEM).body("detail", containsString("admin"));
        assertEquals(1, leases(task));
    }

    @Test
    void pagesAndTheEventStreamNeedASession() {
        given().redirects().follow(false).get("/console").then().statusCode(303)
                .header("Location", containsString("/console/login"));
        given().get("/console/events").then().statusCode(401).contentType(PROBLEM);
        given().redirects().follow(false).cookie(ConsoleSessions.COOKIE, "ADMIN.99999999999.bm9uY2U.forged")
                .get("/console").then().statusCode(303);
        given().contentType(ContentType.URLENC).formParam("token", "wrong").post("/console/login")
                .then().statusCode(401).header("Set-Cookie", (String) null);
    }

    @Test
    void theSessionCookieIsHttpOnlyAndStrict() {
        String header = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("token", "test-console-token").post("/console/login")
                .then().statusCode(303).extract().header("Set-Cookie");
        assertTrue(header.contains("HttpOnly") && header.contains("SameSite=Strict"), header);
        assertTrue(!header.contains("test-console-token"), header);
    }

    @Test
    void decidingNeedsTheAdminTokenAValidDecisionAndAnEffectInDoubt() {
        String task = newTaskId("DEC");
        createTask(task, "acme/console", "review");
        given().contentType(ContentType.JSON).body("{\"decision\":\"happened\",\"reason\":\"checked\"}")
                .post("/tasks/" + task + "/effects/merge_pr/decision").then().statusCode(401).contentType(PROBLEM);
        admin().body("{\"decision\":\"maybe\",\"reason\":\"checked\"}")
                .post("/tasks/" + task + "/effects/merge_pr/decision").then().statusCode(400).contentType(PROBLEM);
        admin().body("{\"decision\":\"happened\",\"reason\":\"  \"}")
                .post("/tasks/" + task + "/effects/merge_pr/decision").then().statusCode(400).contentType(PROBLEM);
        admin().body("{\"decision\":\"happened\",\"reason\":\"checked\"}")
                .post("/tasks/" + task + "/effects/merge_pr/decision").then().statusCode(409).contentType(PROBLEM)
                .body("detail", containsString("not in doubt"));
        assertEquals(1, history(task));
        assertEquals(0, outbox(task, "EffectDecided"));
    }

    @Test
    void didNotHappenMakesTheNextTransitionRunTheEffectAgain() {
        String task = newTaskId("DNH");
        createTask(task, "acme/console", "review");
        exec("""
                INSERT INTO stage.transition_effect (task_id, transition_seq, effect, token, from_stage, to_stage, status, detail)
                VALUES (?, 0, 'merge_pr', 1, 'review', 'testing', 'in_doubt', 'no answer')""", task);

        admin().body("{\"decision\":\"did-not-happen\",\"reason\":\"Gitea shows the PR open\"}")
                .post("/tasks/" + task + "/effects/merge_pr/decision").then().statusCode(200)
                .body("status", equalTo("failed")).body("decision", equalTo("did-not-happen"));

        assertEquals("failed", text("SELECT status FROM stage.transition_effect WHERE task_id = ?", task));
        assertEquals(1, count("SELECT count(*) FROM stage.stage_history WHERE task_id = ? AND kind = 'effect-decided'"
                + " AND actor = 'operator' AND reason LIKE '%Gitea shows the PR open%'", task));
        assertEquals(1, outbox(task, "EffectDecided"));
    }

    @Test
    void aDeadInboundEventIsReplayedThroughTheInboundPath() {
        String key = newTaskId("RPL");
        String eventId = "plane:" + UUID.randomUUID();
        deadEvent(eventId, key, "no task yet");

        given().contentType(ContentType.JSON).body("{}").post("/inbound/" + eventId + "/replay")
                .then().statusCode(401).contentType(PROBLEM);
        admin().body("{\"reason\":\"Plane project now mapped\"}").post("/inbound/" + eventId + "/replay")
                .then().statusCode(200).body("status", equalTo("applied")).body("workItem", equalTo(key));

        assertEquals("created", stageOf(key));
        assertEquals(1, outbox(key, "InboundReplayed"));
        admin().body("{}").post("/inbound/" + eventId + "/replay").then().statusCode(404).contentType(PROBLEM);
        assertEquals(1, outbox(key, "InboundReplayed"));
    }

    @Test
    void theReapersPlaneDriftAlertsReachTheAttentionPageFromTheRealBroker() {
        String task = newTaskId("DRIFT");
        createTask(task, "acme/console", "review");
        String drift = new io.vertx.core.json.JsonObject().put("eventId", UUID.randomUUID().toString())
                .put("aggregateType", "task").put("aggregateId", task).put("eventType", "PlaneDriftUnresolved")
                .put("occurredAt", java.time.Instant.now().plusSeconds(1).toString())
                .put("payload", new io.vertx.core.json.JsonObject().put("stage", "review")
                        .put("planeState", "Done").put("reason", "gates fail")).encode();
        var kafka = new dev.baton.infra.test.KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        kafka.send(dev.baton.events.Topics.ALERTS, task, drift);
        kafka.send(dev.baton.events.Topics.ALERTS, task, drift);
        String viewer = session("test-console-token");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given()
                .cookie(ConsoleSessions.COOKIE, viewer).get("/console/attention").then().extract().asString()
                .contains(task));
        assertEquals(1, count("SELECT count(*) FROM stage.console_alert WHERE work_item = ?", task),
                "a redelivered alert is kept once");
        String page = given().cookie(ConsoleSessions.COOKIE, viewer).get("/console/attention").asString();
        assertTrue(page.contains("PlaneDriftUnresolved") && page.contains("gates fail"), page);
    }

    /** A task in development whose lease a live owner (another "process") holds. */
    private String leasedTask(String prefix) {
        String task = newTaskId(prefix);
        createTask(task, "acme/console", "development");
        owner = others.register();
        others.acquire(task, owner, "monitor", "development", "review");
        return task;
    }

    @AfterEach
    void ownerGone() {
        if (owner != null) {
            owner.sever().await().atMost(Duration.ofSeconds(5));
            owner = null;
        }
    }

    /** A dead-lettered Plane "work item created" event, as the inbound path leaves one. */
    static void deadEvent(String eventId, String key, String reason) {
        exec("""
                INSERT INTO stage.inbound_event (event_id, work_item, event_type, payload, status, attempts, outcome)
                VALUES (?, ?, 'PlaneWorkItemCreated', ?::jsonb, 'dead', 12, ?)""", eventId, key,
                new io.vertx.core.json.JsonObject().put("workItemId", "uuid-" + key).put("workItemKey", key)
                        .put("projectId", "proj-rpl").put("name", "Replayed item").encode(), reason);
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer test-admin-token");
    }

    /** Logs in over HTTP and returns the session cookie's value. */
    private static String session(String token) {
        return given().redirects().follow(false).contentType(ContentType.URLENC).formParam("token", token)
                .post("/console/login").then().statusCode(303).extract().cookie(ConsoleSessions.COOKIE);
    }

    /** The CSRF token a session's pages carry. */
    private static String csrf(String session) {
        String page = given().cookie(ConsoleSessions.COOKIE, session).get("/console/runners")
                .then().statusCode(200).extract().asString();
        Matcher matcher = CSRF.matcher(page);
        assertTrue(matcher.find(), "no CSRF token on the page");
        return matcher.group(1);
    }

    static void exec(String sql, String... parameters) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
