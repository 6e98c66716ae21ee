package dev.baton.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.gateway.webhook.WebhookMetrics;
import dev.baton.gateway.webhook.WebhookService;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.baton.infra.fake.WebhookPayloads.GITEA_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.PLANE_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.giteaPullRequest;
import static dev.baton.infra.fake.WebhookPayloads.giteaPush;
import static dev.baton.infra.fake.WebhookPayloads.planeV1PriorityChanged;
import static dev.baton.infra.fake.WebhookPayloads.planeV1StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.planeV2StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.sign;
import static dev.baton.infra.fake.WebhookPayloads.uuid;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoints against the real broker: what is published, when, and what is refused. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class WebhookResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    /** A work item key no other test uses, so its records on the shared topic are this test's only. */
    private static String freshKey(String prefix) {
        return prefix + "-" + ThreadLocalRandom.current().nextInt(100_000, 999_999_999);
    }

    private static int sequence(String key) {
        return Integer.parseInt(key.substring(key.indexOf('-') + 1));
    }

    private static String identifier(String key) {
        return key.substring(0, key.indexOf('-'));
    }

    private static RequestSpecification plane(String body) {
        return given().contentType("application/json").header("X-Plane-Event", "issue")
                .header("X-Plane-Delivery", uuid()).body(body.getBytes(StandardCharsets.UTF_8));
    }

    private static RequestSpecification gitea(String event, String eventType, String delivery, String body) {
        return given().contentType("application/json").header("X-Gitea-Event", event)
                .header("X-Gitea-Event-Type", eventType).header("X-Gitea-Delivery", delivery)
                .body(body.getBytes(StandardCharsets.UTF_8));
    }

    private List<EventEnvelope> recordsFor(String key, int expected) throws Exception {
        List<ConsumerRecord<String, String>> records = kafka.await(Topics.INBOUND, r -> key.equals(r.key()),
                expected, WAIT);
        List<EventEnvelope> events = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            events.add(json.readValue(record.value(), EventEnvelope.class));
        }
        return events;
    }

    /**
     * Proves "nothing was published for {@code key}" without a blind wait: a valid delivery for the same
     * key goes last; the key pins one partition, and every earlier request was answered before it was
     * sent, so anything published earlier sits in front of it. Its record being the only one is proof.
     */
    private void assertOnlySentinelPublished(String key) throws Exception {
        String eventId = uuid();
        String body = planeV2StateChanged(eventId, uuid(), identifier(key), sequence(key), "alice");
        plane(body).header("X-Plane-Signature", sign(PLANE_SECRET, body)).when().post("/webhooks/plane")
                .then().statusCode(202);
        List<ConsumerRecord<String, String>> all = kafka.upTo(Topics.INBOUND, key,
                r -> r.value().contains("plane:" + eventId), WAIT);
        assertEquals(1, all.size(), "only the sentinel may be on the topic for " + key + ": " + all);
    }

    private static void assertProblem(ValidatableResponse response, int status, String path) {
        response.statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("about:blank"))
                .body("title", notNullValue())
                .body("status", equalTo(status))
                .body("detail", notNullValue())
                .body("instance", equalTo(path));
    }

    private double count(String source, String outcome, String reason) {
        Counter counter = registry.find(WebhookMetrics.NAME)
                .tags("source", source, "outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Every line logged while a webhook is published names its work item and its trace (MDC), as JSON
     * logs carry them.
     */
    @Test
    void theLinesOfAPublishedWebhookNameItsWorkItemAndItsTrace() throws Exception {
        String key = freshKey("LOG");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e" + Integer.toHexString(sequence(key) & 0xffff | 0x1000);
        String body = planeV2StateChanged(uuid(), uuid(), identifier(key), sequence(key), "alice");
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(WebhookService.class.getName());
        java.util.logging.Level level = logger.getLevel();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                org.jboss.logmanager.ExtLogRecord ext = org.jboss.logmanager.ExtLogRecord.wrap(record);
                lines.add(ext.getMdc("workItem") + " " + ext.getMdc("traceId") + " " + ext.getFormattedMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.setLevel(java.util.logging.Level.FINE);
        logger.addHandler(capture);
        try {
            plane(body).header("X-Plane-Signature", sign(PLANE_SECRET, body))
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").when().post("/webhooks/plane")
                    .then().statusCode(202).body("outcome", equalTo("published"));
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(level);
        }
        List<String> about = lines.stream().filter(line -> line.contains("for " + key)).toList();
        assertFalse(about.isEmpty(), "the publish is logged: " + lines);
        assertTrue(about.stream().allMatch(line -> line.startsWith(key + " " + traceId + " ")),
                "each line names " + key + " and trace " + traceId + ": " + about);
    }

    @Test
    void signedPlaneV2StateChangeIsOnTheTopicKeyedByWorkItemWhenAnswered() throws Exception {
        String key = freshKey("PV");
        String eventId = uuid();
        String body = planeV2StateChanged(eventId, uuid(), identifier(key), sequence(key), "alice");

        plane(body).header("X-Plane-Signature", sign(PLANE_SECRET, body)).when().post("/webhooks/plane")
                .then().statusCode(202)
                .body("outcome", equalTo("published"))
                .body("eventId", equalTo("plane:" + eventId))
                .body("eventType", equalTo("PlaneStateChanged"))
                .body("workItem", equalTo(key));

        // Answered after the broker's ack: the record is readable right away.
        List<EventEnvelope> events = recordsFor(key, 1);
        assertEquals(1, events.size());
        EventEnvelope event = events.get(0);
        assertEquals("plane:" + eventId, event.eventId());
        assertEquals("task", event.aggregateType());
        assertEquals("PlaneStateChanged", event.eventType());
        assertEquals("Done", event.payload().get("stateName"));
        assertEquals("In Progress", event.payload().get("previousStateName"));
    }

    @Test
    void replayedDeliveriesCarryTheSameDedupeKey() throws Exception {
        String key = freshKey("RP");
        String v1 = planeV1StateChanged(uuid(), identifier(key), sequence(key), "alice", "2026-11-28T03:00:00.000000Z");
        String planeEventId = uuid();
        String item = uuid();
        // Plane v2 retries re-send the event with the same event_id (the delivery id inside differs).
        String v2First = planeV2StateChanged(planeEventId, item, identifier(key), sequence(key), "alice");
        String v2Retry = planeV2StateChanged(planeEventId, item, identifier(key), sequence(key), "alice");
        String delivery = uuid();
        String pr = giteaPullRequest("closed", true, key + "-lease", "Lease", "alice");

        List<String> answered = new ArrayList<>();
        for (String body : List.of(v1, v1, v2First, v2Retry)) {
            answered.add(plane(body).header("X-Plane-Signature", sign(PLANE_SECRET, body)).when()
                    .post("/webhooks/plane").then().statusCode(202).extract().path("eventId"));
        }
        for (int i = 0; i < 2; i++) {
            answered.add(gitea("pull_request", "pull_request", delivery, pr)
                    .header("X-Gitea-Signature", sign(GITEA_SECRET, pr)).when().post("/webhooks/gitea")
                    .then().statusCode(202).body("eventType", equalTo("GiteaPrMerged")).extract().path("eventId"));
        }

        assertEquals(answered.get(0), answered.get(1));
        assertTrue(answered.get(0).startsWith("plane-v1:"));
        assertEquals(List.of("plane:" + planeEventId, "plane:" + planeEventId), answered.subList(2, 4));
        assertEquals(List.of("gitea:" + delivery, "gitea:" + delivery), answered.subList(4, 6));
        // The gateway does not de-duplicate (the consumer does): every delivery is on the topic, in order.
        List<String> onTopic = recordsFor(key, 6).stream().map(EventEnvelope::eventId).toList();
        assertEquals(answered, onTopic);
    }

    @Test
    void giteaSignedOnlyWithTheGithubStyleHeaderIsAccepted() throws Exception {
        String key = freshKey("HUB");
        String body = giteaPush(key + "-work", "wip", "alice");
        gitea("push", "push", uuid(), body).header("X-Hub-Signature-256", "sha256=" + sign(GITEA_SECRET, body))
                .when().post("/webhooks/gitea")
                .then().statusCode(202).body("eventType", equalTo("GiteaPushed")).body("workItem", equalTo(key));
        assertEquals(1, recordsFor(key, 1).size());
    }

    @Test
    void refusedDeliveriesAnswerProblemJsonAndPublishNothing() throws Exception {
        String key = freshKey("RJ");
        String plane = planeV2StateChanged(uuid(), uuid(), identifier(key), sequence(key), "alice");
        String pr = giteaPullRequest("closed", true, key + "-x", "t", "alice");
        double mismatches = count("plane", "rejected", "signature-mismatch");

        assertProblem(plane(plane).when().post("/webhooks/plane").then(), 401, "/webhooks/plane");
        assertProblem(plane(plane).header("X-Plane-Signature", "").when().post("/webhooks/plane").then(), 401,
                "/webhooks/plane");
        assertProblem(plane(plane).header("X-Plane-Signature", sign("guessed", plane)).when()
                .post("/webhooks/plane").then(), 401, "/webhooks/plane");
        assertProblem(plane(plane).header("X-Plane-Signature", sign(GITEA_SECRET, plane)).when()
                .post("/webhooks/plane").then(), 401, "/webhooks/plane");
        assertProblem(gitea("pull_request", "pull_request", uuid(), pr)
                .header("X-Gitea-Signature", sign(PLANE_SECRET, pr)).when().post("/webhooks/gitea").then(), 401,
                "/webhooks/gitea");
        String notJson = "event=issue&action=updated";
        assertProblem(plane(notJson).header("X-Plane-Signature", sign(PLANE_SECRET, notJson)).when()
                .post("/webhooks/plane").then(), 400, "/webhooks/plane");
        String truncated = plane.substring(0, plane.length() / 2);
        assertProblem(plane(truncated).header("X-Plane-Signature", sign(PLANE_SECRET, truncated)).when()
                .post("/webhooks/plane").then(), 400, "/webhooks/plane");
        assertProblem(given().contentType("application/json").header("X-Gitea-Event", "pull_request")
                .header("X-Gitea-Signature", sign(GITEA_SECRET, pr)).body(pr).when().post("/webhooks/gitea").then(),
                400, "/webhooks/gitea");
        assertProblem(given().contentType("application/json").header("X-Gitea-Delivery", uuid())
                .header("X-Gitea-Signature", sign(GITEA_SECRET, pr)).body(pr).when().post("/webhooks/gitea").then(),
                400, "/webhooks/gitea");

        byte[] oversized = new byte[1024 * 1024 + 1];
        Arrays.fill(oversized, (byte) ' ');
        byte[] head = plane.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, oversized, 0, head.length);
        assertProblem(given().contentType("application/json").header("X-Plane-Signature", sign(PLANE_SECRET, oversized))
                .body(oversized).when().post("/webhooks/plane").then(), 413, "/webhooks/plane");

        assertEquals(mismatches + 2, count("plane", "rejected", "signature-mismatch"));
        assertOnlySentinelPublished(key);
    }

    @Test
    void unusedUnmappedAndOwnEventsAreAcceptedCountedAndNotPublished() throws Exception {
        String key = freshKey("IG");
        double ignored = count("plane", "ignored", "field");
        double bot = count("gitea", "bot", "own-change");
        double unmapped = count("gitea", "unmapped", "no-work-item");
        double unusedEvent = count("gitea", "ignored", "event");

        String priority = planeV1PriorityChanged(uuid(), identifier(key), sequence(key));
        plane(priority).header("X-Plane-Signature", sign(PLANE_SECRET, priority)).when().post("/webhooks/plane")
                .then().statusCode(202).body("outcome", equalTo("ignored"));
        String ownMerge = giteaPullRequest("closed", true, key + "-x", "t", "baton-bot");
        gitea("pull_request", "pull_request", uuid(), ownMerge).header("X-Gitea-Signature", sign(GITEA_SECRET, ownMerge))
                .when().post("/webhooks/gitea").then().statusCode(202).body("outcome", equalTo("bot"));
        String noKey = giteaPullRequest("closed", true, "feature/lease", "lease", "alice");
        gitea("pull_request", "pull_request", uuid(), noKey).header("X-Gitea-Signature", sign(GITEA_SECRET, noKey))
                .when().post("/webhooks/gitea").then().statusCode(202).body("outcome", equalTo("unmapped"));
        String issue = "{\"action\":\"opened\",\"number\":1,\"issue\":{\"title\":\"" + key + "\"}}";
        gitea("issues", "issues", uuid(), issue).header("X-Gitea-Signature", sign(GITEA_SECRET, issue))
                .when().post("/webhooks/gitea").then().statusCode(202).body("outcome", equalTo("ignored"));

        assertEquals(ignored + 1, count("plane", "ignored", "field"));
        assertEquals(bot + 1, count("gitea", "bot", "own-change"));
        assertEquals(unmapped + 1, count("gitea", "unmapped", "no-work-item"));
        assertEquals(unusedEvent + 1, count("gitea", "ignored", "event"));
        assertOnlySentinelPublished(key);
    }

    @Test
    void answersWellUnderGiteasFiveSecondsAtP99() {
        String key = freshKey("LAT");
        int deliveries = 50;
        long[] millis = new long[deliveries];
        for (int i = 0; i < deliveries; i++) {
            String body = giteaPush(key + "-work", "commit " + i, "alice");
            long start = System.nanoTime();
            gitea("push", "push", uuid(), body).header("X-Gitea-Signature", sign(GITEA_SECRET, body))
                    .when().post("/webhooks/gitea").then().statusCode(202).body("eventId", startsWith("gitea:"));
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        long p99 = millis[(int) Math.ceil(deliveries * 0.99) - 1];
        assertTrue(p99 < 1000, "p99 " + p99 + " ms, all: " + Arrays.toString(millis));
    }
}
