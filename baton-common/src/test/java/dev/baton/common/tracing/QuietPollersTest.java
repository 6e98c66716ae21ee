package dev.baton.common.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which spans the services' sampler keeps: all but a database statement with no parent. */
class QuietPollersTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private final QuietPollers sampler = new QuietPollers();

    @Test
    void aLoneStatementIsDroppedAndOneInsideATraceIsKept() {
        Attributes postgres = Attributes.of(QuietPollers.DB_SYSTEM, "postgresql");
        Attributes stable = Attributes.of(QuietPollers.DB_SYSTEM_NAME, "postgresql");
        assertEquals(SamplingDecision.DROP, decide(Context.root(), SpanKind.CLIENT, postgres));
        assertEquals(SamplingDecision.DROP, decide(Context.root(), SpanKind.CLIENT, stable));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampledParent(), SpanKind.CLIENT, postgres));
    }

    @Test
    void everyOtherRootIsKept() {
        Attributes http = Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("http.request.method"), "POST");
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.CLIENT, http));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.SERVER, http));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.CONSUMER, Attributes.empty()));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.INTERNAL,
                Attributes.of(QuietPollers.DB_SYSTEM, "postgresql")));
    }

    private SamplingDecision decide(Context parent, SpanKind kind, Attributes attributes) {
        return sampler.shouldSample(parent, TRACE, "span", kind, attributes, List.of()).getDecision();
    }

    private static Context sampledParent() {
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.getDefault())));
    }
}
