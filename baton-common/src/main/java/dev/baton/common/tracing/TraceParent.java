package dev.baton.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.List;

/**
 * The W3C {@code traceparent} value of a span, for where a trace has to wait in a table: the
 * outbox row (the relay continues the transaction's trace) and the notifier's pending card (the
 * sender's Telegram call continues the trace of the event that last changed it).
 */
public final class TraceParent {

    /** The header (Kafka) and field name of the W3C trace context. */
    public static final String HEADER = "traceparent";

    private static final TextMapGetter<String> VALUE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER.equals(key) ? carrier : null;
        }
    };

    private TraceParent() {
    }

    /** The value naming the span of {@code context}; null when there is none (tracing off, no parent). */
    public static String of(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }

    /**
     * A context whose (remote) parent span is the one {@code traceparent} names, to start a span in;
     * {@link Context#root()} when the value is null or malformed, so the span starts a new trace.
     */
    public static Context parent(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, VALUE);
    }
}
