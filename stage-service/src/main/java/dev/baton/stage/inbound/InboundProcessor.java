package dev.baton.stage.inbound;

import dev.baton.events.EventEnvelope;
import dev.baton.stage.config.InboundConfig;
import dev.baton.stage.lease.InFlight;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import dev.baton.stage.metrics.StageMetrics;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;

/**
 * The inbound protocol:
 *
 * <ol>
 *   <li>remember the event id (with the event) — a redelivery stops here and changes nothing;</li>
 *   <li>apply it through the transition path;</li>
 *   <li>applied or ignored → settled; a live lease (or an outside failure) or an unknown work item
 *       → deferred and tried again later by the retry loop, never blocking other work items;</li>
 *   <li>after {@code maxAttempts} → dead: settled, and published to {@code baton.inbound.dlq}
 *       with the reason.</li>
 * </ol>
 */
@ApplicationScoped
public class InboundProcessor {

    private static final Logger LOG = Logger.getLogger(InboundProcessor.class);
    /** Events one retry pass claims. */
    static final int RETRY_BATCH = 50;
    /**
     * How long a pass holds its events: well past what a batch takes, so no other replica's pass
     * takes one still in hand; a pass lost with its process leaves them due again after this.
     */
    static final Duration RETRY_CLAIM = Duration.ofMinutes(5);

    private final InboundRepository inbound;
    private final InboundApplier applier;
    private final InboundConfig config;
    private final Pool pool;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;
    private final StageMetrics metrics;
    private final InFlight inFlight;

    public InboundProcessor(InboundRepository inbound, InboundApplier applier, InboundConfig config, Pool pool,
                            OutboxRepository outbox, OutboxRelay relay, StageMetrics metrics, InFlight inFlight) {
        this.inbound = inbound;
        this.applier = applier;
        this.config = config;
        this.pool = pool;
        this.outbox = outbox;
        this.relay = relay;
        this.metrics = metrics;
        this.inFlight = inFlight;
    }

    /** Every {@code baton.inbound.poll}, first one poll after start. */
    @Scheduled(identity = "inbound-retry", every = "${baton.inbound.poll:2s}", delayed = "${baton.inbound.poll:2s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> retryPass() {
        return retryDueNow().replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("inbound retry pass failed, the next one will retry: %s", failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /** A delivery from Kafka: applied once per event id. */
    public Uni<Void> firstDelivery(EventEnvelope event) {
        MDC.put("workItem", event.aggregateId());
        return inbound.rememberFirstDelivery(event).flatMap(first -> {
            if (!first) {
                metrics.inbound("redelivery");
                return Uni.createFrom().voidItem();
            }
            return process(event);
        });
    }

    /** Applies an event and records how it ended. Failures are logged and retried, never thrown. */
    Uni<Void> process(EventEnvelope event) {
        MDC.put("workItem", event.aggregateId());
        return applier.apply(event)
                .onFailure().recoverWithItem(e -> new InboundApplier.Result(InboundApplier.Status.DEFERRED,
                        "failed: " + e.getMessage()))
                .flatMap(result -> {
                    metrics.inbound(result.status().name().toLowerCase());
                    LOG.debugf("inbound %s %s for %s: %s %s", event.eventType(), event.eventId(),
                            event.aggregateId(), result.status(), result.detail());
                    return switch (result.status()) {
                        case APPLIED -> inbound.settle(event.eventId(), "applied", result.detail());
                        case IGNORED -> inbound.settle(event.eventId(), "ignored", result.detail());
                        case DEFERRED, UNKNOWN -> inbound.defer(event.eventId(), result.detail(), config.retryDelay())
                                .flatMap(attempts -> attempts >= config.maxAttempts()
                                        ? deadLetter(event, result.detail()) : Uni.createFrom().voidItem());
                    };
                });
    }

    private Uni<Void> deadLetter(EventEnvelope event, String reason) {
        LOG.warnf("inbound %s %s for %s can never apply: %s", event.eventType(), event.eventId(),
                event.aggregateId(), reason);
        return pool.withTransaction(c -> outbox.deadLetter(c, event.aggregateId(), event.eventType(), new JsonObject()
                        .put("eventId", event.eventId()).put("reason", reason)
                        .put("event", new JsonObject(event.payload()))))
                .flatMap(v -> inbound.settle(event.eventId(), "dead", reason))
                .invoke(relay::wake);
    }

    /**
     * Re-applies due deferred events, oldest first, claimed so that two replicas' passes never apply
     * the same one: each attempt ends by deferring or settling its event, which ends the claim. None
     * once shutdown began (another replica's pass will).
     */
    public Uni<Integer> retryDueNow() {
        if (inFlight.draining()) {
            return Uni.createFrom().item(0);
        }
        return inbound.claimDue(RETRY_BATCH, RETRY_CLAIM).flatMap(due -> Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(this::process)
                .collect().asList().map(done -> due.size()));
    }
}
