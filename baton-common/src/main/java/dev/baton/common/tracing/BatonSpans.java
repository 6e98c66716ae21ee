package dev.baton.common.tracing;

import io.opentelemetry.api.common.AttributeKey;

/** The span attributes every service sets the same way (docs/operations.md lists them). */
public final class BatonSpans {

    /** The work item (task id) a span is about: what an operator searches a trace by. */
    public static final AttributeKey<String> WORK_ITEM = AttributeKey.stringKey("baton.work_item");
    /** How a span's step ended: a transition's outcome, a step's answer, a card sync's outcome. */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

    private BatonSpans() {
    }
}
