package dev.baton.stage.tracing;

import dev.baton.common.tracing.BatonSpans;
import dev.baton.stage.transition.TransitionRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.AbstractUni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The spans of the transition protocol: {@code baton.transition} for one request, with a child per
 * step that talks to the database or the outside ({@code baton.transition.enter}, one
 * {@code baton.effect} per effect, {@code baton.transition.commit}). Contexts are passed explicitly
 * rather than made current: a transition hops between event-loop callbacks, where "current" is
 * whatever the last callback left, so each step names its parent itself.
 *
 * <p>With the SDK disabled (no {@code BATON_OTEL_ENDPOINT}) the tracer is a no-op: nothing is
 * recorded, and a child's context is its parent's, so a trace that arrived in a header still rides on.
 */
@ApplicationScoped
public class TransitionTracing {

    public static final AttributeKey<String> WORK_ITEM = BatonSpans.WORK_ITEM;
    public static final AttributeKey<String> FROM = AttributeKey.stringKey("baton.from");
    public static final AttributeKey<String> TO = AttributeKey.stringKey("baton.to");
    public static final AttributeKey<String> ACTOR = AttributeKey.stringKey("baton.actor");
    public static final AttributeKey<String> EFFECT = AttributeKey.stringKey("baton.effect");
    /** How the span's step ended: the transition's outcome key, a step's answer, an effect's ledger step. */
    public static final AttributeKey<String> OUTCOME = BatonSpans.OUTCOME;

    private final Tracer tracer;

    public TransitionTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Starts the span of one transition request under {@code parent}; the caller ends it. */
    public Span transition(TransitionRequest request, Context parent) {
        return tracer.spanBuilder("baton.transition").setParent(parent)
                .setAttribute(WORK_ITEM, request.taskId()).setAttribute(FROM, request.from())
                .setAttribute(TO, request.to()).setAttribute(ACTOR, request.actor().key())
                .startSpan();
    }

    /** Ends a transition's span with how it ended. */
    public static void ended(Span span, String outcome, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR);
        } else {
            span.setAttribute(OUTCOME, outcome);
        }
        span.end();
    }

    /**
     * {@code call}, made and subscribed to with {@code context} current, at each subscription (a
     * retry's too): for an instrumented client (the Gitea REST client), whose span takes the current
     * context as its parent when the request is made. Only for that moment: the scope is closed
     * before any callback of the call runs. A null {@code context} changes nothing.
     */
    public static <T> Uni<T> within(Context context, Supplier<Uni<T>> call) {
        if (context == null) {
            return Uni.createFrom().deferred(call::get);
        }
        return new AbstractUni<T>() {
            @Override
            public void subscribe(UniSubscriber<? super T> subscriber) {
                try (Scope ignored = context.makeCurrent()) {
                    call.get().subscribe().withSubscriber(subscriber);
                }
            }
        };
    }

    /**
     * Runs {@code step} inside a child span {@code name} of {@code parent}, started when the step is
     * subscribed to and ended when it ends; {@code step} gets the child's context (for the rows it
     * writes), {@code outcome} names how it ended.
     */
    public <T> Uni<T> step(String name, String workItem, String effect, Context parent,
                           Function<Context, Uni<T>> step, Function<T, String> outcome) {
        return Uni.createFrom().deferred(() -> {
            SpanBuilder builder = tracer.spanBuilder(name).setParent(parent).setAttribute(WORK_ITEM, workItem);
            if (effect != null) {
                builder.setAttribute(EFFECT, effect);
            }
            Span span = builder.startSpan();
            return step.apply(parent.with(span))
                    .onItemOrFailure().invoke((item, failure) -> ended(span,
                            failure == null ? outcome.apply(item) : null, failure))
                    .onCancellation().invoke(span::end);
        });
    }
}
