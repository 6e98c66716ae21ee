package dev.baton.stage.tracing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.CapturedSpans;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipeline;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.text;
import static dev.baton.stage.StageApi.transition;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.equalTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One webhook event's trace through stage-service, on the real broker and database: the inbound
 * record's {@code traceparent} (as the gateway sends it) is the parent of the transition, whose
 * enter, effect and commit are its children; the outbox row keeps the commit's traceparent, and the
 * relay's record on {@code baton.transitions} carries the same trace on to the notifier.
 */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TransitionTracingTest {

    private static final Logger LOG = Logger.getLogger(TransitionTracingTest.class);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SHA = "fedcba9876543210fedcba9876543210fedcba98";

    @Inject
    CapturedSpans spans;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void aWebhookEventsTraceRunsThroughTheTransitionItsStepsTheOutboxAndTheRelayedRecord() {
        String task = newTaskId("TRC");
        createTask(task, "acme/inbound", "review");
        given().contentType(ContentType.JSON).body("{\"number\":5,\"headSha\":\"%s\"}".formatted(SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);
        String traceId = CapturedSpans.newTraceId();
        String gatewaySpan = CapturedSpans.newSpanId();

        kafka.send(Topics.INBOUND, task, new JsonObject().put("eventId", "gitea:" + UUID.randomUUID())
                .put("aggregateType", "task").put("aggregateId", task).put("eventType", "GiteaPrMerged")
                .put("occurredAt", "2026-11-28T00:00:00Z").put("payload", new JsonObject().put("repo", "acme/inbound")
                        .put("prNumber", 5).put("headSha", SHA).put("merged", true)).encode(),
                Map.of("traceparent", "00-" + traceId + "-" + gatewaySpan + "-01"));

        SpanData transition = spans.await("baton.transition", "baton.work_item", task, WAIT);
        // Its parent is the inbound record's consumer span, whose parent the header named: the webhook's trace.
        spans.consumedUnder(transition, traceId, gatewaySpan);
        assertEquals("review", attribute(transition, "baton.from"));
        assertEquals("testing", attribute(transition, "baton.to"));
        assertEquals("advanced", attribute(transition, "outcome"));

        SpanData enter = child(transition, "baton.transition.enter");
        SpanData effect = child(transition, "baton.effect");
        SpanData commit = child(transition, "baton.transition.commit");
        assertEquals("entered", attribute(enter, "outcome"));
        assertEquals("merge_pr", attribute(effect, "baton.effect"));
        assertEquals("done", attribute(effect, "outcome"));
        assertEquals("advanced", attribute(commit, "outcome"));

        String stored = text("SELECT trace_parent FROM stage.outbox WHERE aggregate_id = ? "
                + "AND event_type = 'StageAdvanced'", task);
        assertEquals("00-" + traceId + "-" + commit.getSpanId() + "-01", stored,
                "the outbox row keeps the traceparent of the commit that wrote it");

        List<ConsumerRecord<String, String>> relayed = kafka.upTo(Topics.TRANSITIONS, task,
                r -> r.value().contains("\"StageAdvanced\""), WAIT);
        String header = KafkaTestClient.header(relayed.get(relayed.size() - 1), "traceparent");
        assertNotNull(header, "the relayed record carries a traceparent");
        assertEquals("00-" + traceId + "-", header.substring(0, 36), "in the transition's trace: " + header);
        String producerId = header.substring(36, 52);
        SpanData produced = spans.await(s -> s.getSpanId().equals(producerId), WAIT);
        assertEquals(SpanKind.PRODUCER, produced.getKind(), "the header names the relay's producer span");
        assertEquals(commit.getSpanId(), produced.getParentSpanId(), "a child of the commit that wrote the row");

        // The trace as docs/operations.md shows it.
        LOG.info("captured trace:\n" + spans.dump(traceId));
    }

    /**
     * The calls an effect makes to Gitea are children of its {@code baton.effect} span — a retry's
     * too, made from a timer's callback: the merge answered "try again later" (405, and the PR not
     * merged), then merged.
     */
    @Test
    void anEffectsCallsToGiteaAreChildrenOfItsSpanRetriesIncluded() {
        String task = newTaskId("TRG");
        int pr = (int) (Math.abs(task.hashCode()) % 100_000) + 1;
        String mergePath = "/api/v1/repos/acme/traced/pulls/" + pr + "/merge";
        createTask(task, "acme/traced", "review");
        given().contentType(ContentType.JSON).body("{\"number\":%d,\"headSha\":\"%s\"}".formatted(pr, SHA))
                .post("/tasks/" + task + "/pull-request").then().statusCode(204);
        WireMockServer gitea = OutsideWireMock.server();
        gitea.stubFor(post(urlEqualTo(mergePath)).inScenario(task).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(405).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"Please try again later\",\"url\":\"\"}"))
                .willSetStateTo("busy once"));
        gitea.stubFor(post(urlEqualTo(mergePath)).inScenario(task).whenScenarioStateIs("busy once")
                .willReturn(aResponse().withStatus(200)));
        gitea.stubFor(get(urlEqualTo(mergePath)).willReturn(aResponse().withStatus(404)));

        transition(task, "review", "testing", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));

        SpanData transition = spans.await("baton.transition", "baton.work_item", task, WAIT);
        SpanData effect = child(transition, "baton.effect");
        // POST (405), GET (not merged), POST again after the backoff (200): three calls, one parent.
        Predicate<SpanData> call = s -> s.getKind() == SpanKind.CLIENT && !isStatement(s)
                && s.getParentSpanId().equals(effect.getSpanId());
        await().atMost(WAIT).until(() -> spans.all().stream().filter(call).count() >= 3);
        List<String> calls = spans.all().stream().filter(call).map(SpanData::getName).sorted().toList();
        assertEquals(3, calls.size(), calls.toString());
        assertTrue(calls.get(0).startsWith("GET") && calls.get(1).startsWith("POST") && calls.get(2).startsWith("POST"),
                "the effect's children: " + calls);
        LOG.info("captured trace:\n" + spans.dump(transition.getTraceId()));
    }

    /**
     * The services' sampler ({@code QuietPollers}): the relay and the other pollers run statements
     * with no span current, and none of those lone statements is a trace; a request's statements
     * are spans of the request's trace.
     */
    @Test
    void aPollersLoneStatementIsNoTraceWhileARequestKeepsItsStatements() {
        String task = newTaskId("QPL");
        createTask(task, "acme/inbound", "review");
        String traceId = CapturedSpans.newTraceId();
        given().header("traceparent", "00-" + traceId + "-" + CapturedSpans.newSpanId() + "-01")
                .get("/tasks/" + task).then().statusCode(200);
        SpanData statement = spans.await(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && isStatement(s), WAIT);
        assertTrue(SpanId.isValid(statement.getParentSpanId()), "the request's statement has a parent");

        // A row no commit wakes the relay for: once it is sent, the relay's poll has run (its statements with it).
        count("WITH probe AS (INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload)"
                + " VALUES (gen_random_uuid(), 'baton.transitions', 'task', ?, 'PollProbe', '{}'::jsonb) RETURNING 1)"
                + " SELECT count(*) FROM probe", task);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ?"
                + " AND event_type = 'PollProbe' AND sent_at IS NOT NULL", task) == 1);
        List<SpanData> lone = spans.all().stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT && isStatement(s) && !SpanId.isValid(s.getParentSpanId()))
                .toList();
        assertEquals(List.of(), lone.stream().map(SpanData::getName).toList(), "statements that are a trace alone");
    }

    private static boolean isStatement(SpanData span) {
        return span.getAttributes().asMap().keySet().stream().anyMatch(key -> key.getKey().startsWith("db.system"));
    }

    private SpanData child(SpanData parent, String name) {
        return spans.only(parent.getTraceId(),
                s -> s.getName().equals(name) && s.getParentSpanId().equals(parent.getSpanId()));
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
