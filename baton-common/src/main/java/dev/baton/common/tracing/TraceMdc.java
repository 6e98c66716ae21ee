package dev.baton.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import org.jboss.logging.MDC;

/**
 * Names a trace in the log context where Quarkus does not: it fills {@code traceId}/{@code spanId}
 * only for a span made current on the Vert.x context (an HTTP request's), while a consumer or a
 * sender thread works under a context it was handed. Same keys as Quarkus, so one log format and one
 * JSON field serve both. The MDC is the caller's Vert.x duplicated context (or the thread's off
 * Vert.x), so a line of one record never carries another's trace.
 */
public final class TraceMdc {

    public static final String TRACE_ID = "traceId";
    public static final String SPAN_ID = "spanId";

    private TraceMdc() {
    }

    /** Puts the trace of {@code context} in the MDC; clears it when there is none (tracing off). */
    public static void put(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (span.isValid()) {
            MDC.put(TRACE_ID, span.getTraceId());
            MDC.put(SPAN_ID, span.getSpanId());
        } else {
            clear();
        }
    }

    public static void clear() {
        MDC.remove(TRACE_ID);
        MDC.remove(SPAN_ID);
    }
}
