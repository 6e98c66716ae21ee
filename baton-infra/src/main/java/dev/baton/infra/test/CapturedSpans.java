package dev.baton.infra.test;

import dev.baton.infra.SpanTree;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Every span a service under test ends, in memory: the in-memory exporter of the tracing tests. A
 * CDI {@link SpanProcessor}, which quarkus-opentelemetry adds to its tracer provider, so it sees spans
 * only where a test profile turns the SDK on ({@code %test.quarkus.otel.sdk.disabled=false}); it is
 * synchronous (no batch delay to wait for) and keeps the last {@value #KEEP} spans so a long suite
 * does not grow without bound.
 */
@Singleton
public class CapturedSpans implements SpanProcessor {

    static final int KEEP = 10_000;
    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");

    private final Deque<SpanData> spans = new ArrayDeque<>();

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        SpanData data = span.toSpanData();
        synchronized (spans) {
            spans.addLast(data);
            if (spans.size() > KEEP) {
                spans.removeFirst();
            }
            spans.notifyAll();
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /** The ended spans, oldest first. */
    public List<SpanData> all() {
        synchronized (spans) {
            return new ArrayList<>(spans);
        }
    }

    /** The ended spans of one trace, in the order they started. */
    public List<SpanData> trace(String traceId) {
        return all().stream().filter(s -> s.getTraceId().equals(traceId))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    /**
     * The first ended span that matches, waiting up to {@code timeout} for it to end (spans end on
     * other threads: the consumer's, the relay's).
     */
    public SpanData await(Predicate<SpanData> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (spans) {
            while (true) {
                for (SpanData span : spans) {
                    if (wanted.test(span)) {
                        return span;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such span within " + timeout + "; ended: " + spans.stream()
                            .map(SpanData::getName).collect(Collectors.toList()));
                }
                try {
                    spans.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for a span", e);
                }
            }
        }
    }

    /** The one ended span of trace {@code traceId} that matches; fails, showing the trace, if not exactly one. */
    public SpanData only(String traceId, Predicate<SpanData> wanted) {
        List<SpanData> found = trace(traceId).stream().filter(wanted).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " matching spans, not one, in " + dump(traceId));
        }
        return found.get(0);
    }

    /**
     * Checks that {@code span} continues a trace that crossed Kafka: it is in trace {@code traceId},
     * its parent is the connector's consumer span of the record, and that span's parent is
     * {@code senderSpanId}, the span the record's {@code traceparent} header named. Returns the
     * consumer span.
     */
    public SpanData consumedUnder(SpanData span, String traceId, String senderSpanId) {
        if (!span.getTraceId().equals(traceId)) {
            throw new AssertionError(span.getName() + " is in trace " + span.getTraceId() + ", not " + traceId);
        }
        SpanData consumer = only(traceId, s -> s.getSpanId().equals(span.getParentSpanId()));
        if (consumer.getKind() != SpanKind.CONSUMER || !consumer.getParentSpanId().equals(senderSpanId)) {
            throw new AssertionError(span.getName() + "'s parent is not the consumer span of a record sent under "
                    + senderSpanId + ": " + dump(traceId));
        }
        return consumer;
    }

    /** A random W3C trace id (32 hex digits), for a test's own {@code traceparent}. */
    public static String newTraceId() {
        return hex(16);
    }

    /** A random W3C span id (16 hex digits). */
    public static String newSpanId() {
        return hex(8);
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** A span with {@code name} whose attribute {@code key} is {@code value}, waiting as {@link #await}. */
    public SpanData await(String name, String key, String value, Duration timeout) {
        return await(s -> s.getName().equals(name) && value.equals(s.getAttributes().get(AttributeKey.stringKey(key))),
                timeout);
    }

    /** One trace as text ({@link SpanTree}): what docs/operations.md shows. */
    public String dump(String traceId) {
        return SpanTree.render(traceId, trace(traceId).stream().map(s -> new SpanTree.Span(s.getTraceId(), s.getSpanId(),
                s.getParentSpanId(), s.getName(), s.getKind().name(), s.getResource().getAttribute(SERVICE),
                s.getAttributes().asMap().entrySet().stream().collect(Collectors.toMap(e -> e.getKey().getKey(),
                        e -> String.valueOf(e.getValue()), (a, b) -> a)))).toList());
    }
}
