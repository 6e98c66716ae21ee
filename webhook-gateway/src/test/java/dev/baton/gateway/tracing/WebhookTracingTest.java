package dev.baton.gateway.tracing;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.CapturedSpans;
import dev.baton.infra.test.KafkaTestClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.baton.infra.fake.WebhookPayloads.PLANE_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.planeV2StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.sign;
import static dev.baton.infra.fake.WebhookPayloads.uuid;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first hop of a webhook's trace: the request's server span (a child of the sender's
 * {@code traceparent}, if it sent one) names the work item, and the record it publishes to
 * {@code baton.inbound} carries the trace on in its {@code traceparent} header, under the
 * connector's producer span.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class WebhookTracingTest {

    private static final Logger LOG = Logger.getLogger(WebhookTracingTest.class);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    CapturedSpans spans;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void thePublishedRecordCarriesTheTraceOfTheWebhookRequest() {
        int sequence = ThreadLocalRandom.current().nextInt(100_000, 999_999_999);
        String key = "TRC-" + sequence;
        String traceId = CapturedSpans.newTraceId();
        String senderSpan = CapturedSpans.newSpanId();
        String body = planeV2StateChanged(uuid(), uuid(), "TRC", sequence, "alice");
        given().contentType("application/json").header("X-Plane-Event", "issue").header("X-Plane-Delivery", uuid())
                .header("X-Plane-Signature", sign(PLANE_SECRET, body))
                .header("traceparent", "00-" + traceId + "-" + senderSpan + "-01")
                .body(body.getBytes(StandardCharsets.UTF_8)).when().post("/webhooks/plane")
                .then().statusCode(202);

        SpanData request = spans.await(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId), WAIT);
        assertEquals(senderSpan, request.getParentSpanId(), "the request continues the sender's trace");
        assertEquals(key, request.getAttributes().get(AttributeKey.stringKey("baton.work_item")));
        SpanData produced = spans.await(s -> s.getKind() == SpanKind.PRODUCER && s.getTraceId().equals(traceId),
                WAIT);
        assertEquals(request.getSpanId(), produced.getParentSpanId(), "the publish is a child of the request");

        List<ConsumerRecord<String, String>> records = kafka.await(Topics.INBOUND, r -> key.equals(r.key()), 1, WAIT);
        assertEquals(1, records.size());
        assertEquals("00-" + traceId + "-" + produced.getSpanId() + "-01",
                KafkaTestClient.header(records.get(0), "traceparent"),
                "the record names the producer span, so stage-service's consumer continues this trace");
        LOG.info("captured trace:\n" + spans.dump(traceId));
    }
}
