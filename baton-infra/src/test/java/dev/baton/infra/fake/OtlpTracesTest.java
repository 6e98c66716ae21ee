package dev.baton.infra.fake;

import dev.baton.infra.test.CapturedSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local stack's collector reads what a service really exports: spans made by the OpenTelemetry
 * SDK, encoded by its OTLP exporter's own marshaler, posted over HTTP to the fake. Read back, the
 * trace prints exactly as the SDK's own spans print.
 */
class OtlpTracesTest {

    @Test
    void aTraceExportedOverOtlpHttpReadsBackAsTheSdkMadeIt() throws Exception {
        CapturedSpans captured = new CapturedSpans();
        Resource resource = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "stage-service"));
        String traceId;
        String pollerTrace;
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(captured).build()) {
            Tracer tracer = provider.get("test");
            Span consumer = tracer.spanBuilder("baton.inbound receive").setSpanKind(SpanKind.CONSUMER).startSpan();
            traceId = consumer.getSpanContext().getTraceId();
            try (Scope ignored = consumer.makeCurrent()) {
                Span transition = tracer.spanBuilder("baton.transition").setAttribute("baton.work_item", "ORCH-7")
                        .setAttribute("baton.from", "review").setAttribute("outcome", "advanced")
                        .setAttribute("attempt", 2L).setAttribute("http.url", "not shown").startSpan();
                try (Scope inner = transition.makeCurrent()) {
                    tracer.spanBuilder("baton.effect").setAttribute("baton.effect", "merge_pr").startSpan().end();
                }
                transition.end();
            }
            consumer.end();
            // A poller's statement: a trace of its own, about no work item.
            Span poll = tracer.spanBuilder("SELECT stage.outbox").setSpanKind(SpanKind.CLIENT).startSpan();
            pollerTrace = poll.getSpanContext().getTraceId();
            poll.end();
        }
        List<SpanData> spans = new ArrayList<>(captured.trace(traceId));
        assertEquals(3, spans.size());
        spans.addAll(captured.trace(pollerTrace));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        TraceRequestMarshaler.create(spans).writeBinaryTo(body);

        assertEquals(4, OtlpTraces.parse(body.toByteArray()).size(), "spans read from the request");

        try (FakeOutside fake = FakeOutside.start(0)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> exported = http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, exported.statusCode());

            String shown = http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/__fake/traces/" + traceId))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(captured.dump(traceId), shown);
            assertTrue(shown.contains("baton.transition [INTERNAL, stage-service]"), shown);
            assertTrue(shown.contains("baton.work_item=ORCH-7"), shown);

            String listed = http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/__fake/traces")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(listed.contains("\"traceId\":\"" + traceId + "\""), listed);
            assertTrue(listed.contains("\"workItem\":\"ORCH-7\""), listed);
            assertTrue(listed.contains("\"root\":\"baton.inbound receive [stage-service]\""), listed);
            assertFalse(listed.contains(pollerTrace), "a trace about no work item is not listed: " + listed);
            assertEquals(captured.dump(pollerTrace), http.send(HttpRequest.newBuilder(
                    URI.create(fake.baseUrl() + "/__fake/traces/" + pollerTrace)).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), "but it is kept");
        }
    }
}
