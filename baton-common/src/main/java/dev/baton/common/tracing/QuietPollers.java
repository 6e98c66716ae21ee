package dev.baton.common.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * The sampler of every service (quarkus-opentelemetry takes a CDI {@link Sampler} over its
 * configured one): every trace is kept, except a trace that would be one database statement alone.
 *
 * <p>The pollers (the outbox relay, the chat senders, the runners' job picks, the reaper's sweeps,
 * the retry passes) send their statements with no span current, and the SQL client's span of each
 * would be the root of a trace of its own: hundreds a minute on an idle system, burying the traces
 * of work items in a collector. A statement under a request, a consumed record or a transition has
 * a parent and keeps its parent's decision, so a work item's trace keeps every statement it ran.
 */
@Singleton
public class QuietPollers implements Sampler {

    /** The database client's attribute: {@code db.system} in the older conventions, {@code db.system.name} in the stable ones. */
    static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
    private static final Sampler KEEP = Sampler.parentBased(Sampler.alwaysOn());

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        boolean root = !Span.fromContext(parentContext).getSpanContext().isValid();
        if (root && spanKind == SpanKind.CLIENT && isStatement(attributes)) {
            return SamplingResult.drop();
        }
        return KEEP.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    static boolean isStatement(Attributes attributes) {
        return attributes.get(DB_SYSTEM) != null || attributes.get(DB_SYSTEM_NAME) != null;
    }

    @Override
    public String getDescription() {
        return "QuietPollers{a lone database statement dropped, else " + KEEP.getDescription() + "}";
    }
}
