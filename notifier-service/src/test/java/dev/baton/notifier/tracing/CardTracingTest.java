package dev.baton.notifier.tracing;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.CapturedSpans;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.TelegramFakeResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transition record's trace reaches the Telegram call: the record's {@code traceparent} (as the
 * stage-service relay sends it) is continued by the consumer, stored with the pending card, and
 * continued again by the chat sender's {@code baton.card.sync}, the REST call to the Bot API under
 * it. An alert record's does the same through the queued alert and {@code baton.alert.send}. No
 * span anywhere holds the bot token, which is part of every Bot API URL.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class CardTracingTest {

    private static final Logger LOG = Logger.getLogger(CardTracingTest.class);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");

    @Inject
    CapturedSpans spans;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void theCardSyncContinuesTheTransitionsTraceAndTheTelegramCallIsItsChild() {
        String item = "TRC-" + UUID.randomUUID().toString().substring(0, 8);
        // The card's first send, among the sync's REST calls (the pipeline's labels may be fetched too).
        sentInTheRecordsTrace(Topics.TRANSITIONS, Events.created(item, "Traced card", "created"), "baton.card.sync",
                "synced");
    }

    /**
     * An alert record's trace (stage-service's relay, the reaper) reaches its Telegram call the same
     * way: kept with the queued alert, continued by the sender's {@code baton.alert.send}.
     */
    @Test
    void anAlertsSendContinuesTheTraceThatRaisedItAndTheTelegramCallIsItsChild() {
        String item = "TRA-" + UUID.randomUUID().toString().substring(0, 8);
        sentInTheRecordsTrace(Topics.ALERTS, Events.of(item, "JobReaped",
                Events.payload("taskId", item, "jobId", 99, "tier", 1, "reason", "traced reap")), "baton.alert.send", "sent");
    }

    /**
     * Publishes {@code event} with a {@code traceparent} standing for its producer's span: the sender's
     * span {@code name} is a child of the record's consumer span (whose parent the header named), ends
     * with {@code outcome}, and has the Bot API's sendMessage call under it, token redacted.
     */
    private void sentInTheRecordsTrace(String topic, EventEnvelope event, String name, String outcome) {
        String traceId = CapturedSpans.newTraceId();
        String producerSpan = CapturedSpans.newSpanId();
        kafka.send(topic, event.aggregateId(), Events.json(event),
                Map.of("traceparent", "00-" + traceId + "-" + producerSpan + "-01"));

        SpanData sender = spans.await(name, "baton.work_item", event.aggregateId(), WAIT);
        spans.consumedUnder(sender, traceId, producerSpan);
        assertEquals(outcome, sender.getAttributes().get(AttributeKey.stringKey("outcome")));
        SpanData call = spans.await(s -> s.getKind() == SpanKind.CLIENT && s.getParentSpanId().equals(sender.getSpanId())
                && String.valueOf(s.getAttributes().get(URL_FULL)).contains("/sendMessage"), WAIT);
        assertTrue(call.getAttributes().get(URL_FULL).endsWith("/bot<token>/sendMessage"),
                "the Bot API call, token redacted: " + call.getAttributes().get(URL_FULL));
        LOG.info("captured trace:\n" + spans.dump(traceId));
        assertNoSpanHoldsTheToken();
    }

    @Test
    void aTimedOutBotApiCallLeavesNoTokenInAnySpan() {
        String item = "TRT-" + UUID.randomUUID().toString().substring(0, 8);
        // Longer than the test read timeout (1.2 s): the client's failures carry the request path.
        StubMapping slow = TelegramFakeResource.server().stubFor(post(urlPathEqualTo(TelegramFakeResource.BOT
                + "/sendMessage")).withRequestBody(containing(item)).atPriority(1)
                .willReturn(okJson("{\"ok\":true,\"result\":{\"message_id\":1}}").withFixedDelay(1500)));
        try {
            kafka.send(Topics.TRANSITIONS, item, Events.json(Events.created(item, "Slow card", "created")),
                    Map.of("traceparent", "00-" + CapturedSpans.newTraceId() + "-" + CapturedSpans.newSpanId() + "-01"));
            SpanData failed = spans.await(s -> s.getName().equals("baton.card.sync")
                    && item.equals(s.getAttributes().get(AttributeKey.stringKey("baton.work_item")))
                    && "failed".equals(s.getAttributes().get(AttributeKey.stringKey("outcome"))), WAIT);
            assertTrue(spans.trace(failed.getTraceId()).stream().anyMatch(s -> s.getKind() == SpanKind.CLIENT),
                    "the failed calls are in the trace");
        } finally {
            TelegramFakeResource.server().removeStub(slow);
        }
        assertNoSpanHoldsTheToken();
    }

    /** Every attribute, event attribute and name of every span captured so far in this JVM. */
    private void assertNoSpanHoldsTheToken() {
        List<String> leaks = new ArrayList<>();
        for (SpanData span : spans.all()) {
            collect(span.getName(), span.getName(), leaks);
            collect(span.getName(), span.getAttributes(), leaks);
            for (EventData event : span.getEvents()) {
                collect(span.getName() + "/" + event.getName(), event.getAttributes(), leaks);
            }
        }
        assertEquals(List.of(), leaks, "spans holding the bot token");
    }

    private static void collect(String where, Attributes attributes, List<String> leaks) {
        attributes.forEach((key, value) -> collect(where + " " + key.getKey(), String.valueOf(value), leaks));
    }

    private static void collect(String where, String value, List<String> leaks) {
        if (value.contains(TelegramFakeResource.TOKEN) || value.contains("SECRET-token_value")) {
            leaks.add(where + ": " + value);
        }
    }
}
