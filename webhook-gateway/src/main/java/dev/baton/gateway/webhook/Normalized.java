package dev.baton.gateway.webhook;

import dev.baton.events.EventEnvelope;

/**
 * What a verified, well-formed webhook turned into. Only {@link Publish} reaches Kafka; the others
 * are answered 202 (the sender must not retry them) and counted under their reason.
 */
public sealed interface Normalized {

    /** An inbound event for stage-service. */
    record Publish(EventEnvelope event) implements Normalized {
    }

    /** A well-formed event Baton does not use; {@code reason} is from a fixed vocabulary (a metric tag). */
    record Ignored(String reason) implements Normalized {
    }

    /** An event Baton would use, but no work item could be named for it. */
    record Unmapped(String reason) implements Normalized {
    }

    /** Caused by Baton's own bot user: feeding it back in would loop. */
    record FromBot() implements Normalized {
    }
}
