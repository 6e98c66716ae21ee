package dev.baton.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceParentTest {

    private static final String VALUE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void aStoredValueIsTheRemoteParentOfTheNextSpanAndWritesBackUnchanged() {
        Context parent = TraceParent.parent(VALUE);
        SpanContext span = Span.fromContext(parent).getSpanContext();
        assertTrue(span.isRemote());
        assertEquals("0af7651916cd43dd8448eb211c80319c", span.getTraceId());
        assertEquals("b7ad6b7169203331", span.getSpanId());
        assertTrue(span.isSampled());
        assertEquals(VALUE, TraceParent.of(parent));
    }

    @Test
    void noValueOrAMalformedOneStartsANewTrace() {
        assertFalse(Span.fromContext(TraceParent.parent(null)).getSpanContext().isValid());
        assertFalse(Span.fromContext(TraceParent.parent("00-nonsense")).getSpanContext().isValid());
    }

    @Test
    void withoutASpanThereIsNothingToStore() {
        assertNull(TraceParent.of(Context.root()));
    }
}
