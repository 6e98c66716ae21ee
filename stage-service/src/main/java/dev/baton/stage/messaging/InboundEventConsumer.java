package dev.baton.stage.messaging;

import dev.baton.common.PerKeySerial;
import dev.baton.common.UntilStored;
import dev.baton.common.tracing.TraceMdc;
import dev.baton.events.EventEnvelope;
import dev.baton.stage.inbound.InboundProcessor;
import dev.baton.stage.lease.InFlight;
import dev.baton.stage.transition.TransitionService;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes normalised webhook events from {@code baton.inbound}; each event id is applied once.
 * One work item's events are applied one at a time, in order; different work items side by side,
 * so a partition is not a queue of strangers waiting on one work item's two transactions
 * (docs/benchmarks.md, end to end). A record is acknowledged when its work item's queue has applied
 * it, and the connector's throttled commit never moves the offset past an unfinished record: a
 * crash re-delivers it, and the inbound table's event id makes that a no-op. A database that refuses
 * is waited out ({@link UntilStored}): the record is never nacked, so the channel never stops.
 * Once shutdown began ({@link InFlight}) a record not yet started is left unacknowledged, neither
 * applied nor lost: the partition's next owner (another replica, or this one restarted) gets it again.
 *
 * <p>The connector's consumer span (a child of the record's {@code traceparent} header, the
 * gateway's trace) is handed to the transition in the Mutiny context ({@link
 * TransitionService#TRACE_PARENT}) rather than left to be "current": a work item's next record is
 * started from the completion of its previous one, on that record's callback, where "current" would
 * be the previous record's span.
 */
@ApplicationScoped
public class InboundEventConsumer {

    private static final Logger LOG = Logger.getLogger(InboundEventConsumer.class);

    private final InboundProcessor processor;
    private final InFlight inFlight;
    private final PerKeySerial perWorkItem = new PerKeySerial();

    public InboundEventConsumer(InboundProcessor processor, InFlight inFlight) {
        this.processor = processor;
        this.inFlight = inFlight;
    }

    @Incoming("inbound")
    public CompletionStage<Void> consume(Message<EventEnvelope> message) {
        EventEnvelope event = message.getPayload();
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return message.ack();
        }
        Context trace = TracingMetadata.fromMessage(message).map(TracingMetadata::getCurrentContext)
                .orElseGet(Context::current);
        perWorkItem.submit(event.aggregateId(), () -> {
            if (inFlight.draining()) {
                LOG.debugf("shutting down: %s %s left for redelivery", event.eventType(), event.eventId());
                return CompletableFuture.completedFuture(null);
            }
            TraceMdc.put(trace);
            return UntilStored.retry(() -> processor.firstDelivery(event),
                            () -> event.eventType() + " " + event.eventId(), LOG)
                    .subscribe().asCompletionStage(io.smallrye.mutiny.Context.of(TransitionService.TRACE_PARENT, trace))
                    .thenRun(message::ack);
        });
        return CompletableFuture.completedFuture(null);
    }
}
