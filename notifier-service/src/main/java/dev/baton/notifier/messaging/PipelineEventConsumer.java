package dev.baton.notifier.messaging;

import dev.baton.common.PerKeySerial;
import dev.baton.events.EventEnvelope;
import dev.baton.notifier.alert.AlertService;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.repository.ProcessedEventRepository;
import dev.baton.notifier.tracker.CardEventService;
import dev.baton.notifier.tracker.CardSyncService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes {@code baton.transitions} and {@code baton.alerts}, once per event id. Card work is
 * blocking (the Telegram calls wait for retries and the per-chat queue): it runs on a pool of
 * {@code BATON_NOTIFIER_CARD_CONCURRENCY} threads, one work item's events in order, different work
 * items side by side (one slow card used to hold up all of them: docs/benchmarks.md, end to end).
 * Alerts stay blocking and ordered. Nothing escapes: a failed event is logged and the partition moves on.
 */
@ApplicationScoped
public class PipelineEventConsumer {

    private static final Logger LOG = Logger.getLogger(PipelineEventConsumer.class);
    private static final Duration DB = Duration.ofSeconds(30);

    private final ProcessedEventRepository events;
    private final CardEventService cardEvents;
    private final CardSyncService cards;
    private final AlertService alerts;

    private final ExecutorService pool;
    private final PerKeySerial perWorkItem;

    public PipelineEventConsumer(ProcessedEventRepository events, CardEventService cardEvents, CardSyncService cards,
                                 AlertService alerts, NotifierConfig config) {
        this.events = events;
        this.cardEvents = cardEvents;
        this.cards = cards;
        this.alerts = alerts;
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.cardConcurrency(), work -> {
            Thread thread = new Thread(work, "card-sync-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.perWorkItem = new PerKeySerial();
    }

    /**
     * Hands the event to its work item's queue and returns at once; the record is acknowledged when
     * the card work is done, and Kafka's offset only moves past records that all are (the connector's
     * throttled commit strategy), so a crash re-delivers whatever was not finished.
     */
    @Incoming("transitions")
    public CompletionStage<Void> consumeTransition(Message<EventEnvelope> message) {
        EventEnvelope event = message.getPayload();
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return message.ack();
        }
        perWorkItem.submit(event.aggregateId(), () -> CompletableFuture.runAsync(() -> applyToCard(event), pool))
                .whenComplete((done, never) -> message.ack()); // applyToCard logs its failures, never throws
        return CompletableFuture.completedFuture(null);
    }

    private void applyToCard(EventEnvelope event) {
        try {
            boolean cardEvent = cardEvents.apply(event).await().atMost(DB);
            // Synced for a redelivery too: the hash makes it free when the card is current, and it
            // repairs a card whose update was lost between the state commit and Telegram.
            if (cardEvent) {
                cards.sync(event.aggregateId());
            }
        } catch (RuntimeException e) {
            LOG.errorf("%s %s for %s not applied: %s", event.eventType(), event.eventId(), event.aggregateId(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdown();
    }

    @Incoming("alerts")
    @Blocking
    public void consumeAlert(EventEnvelope event) {
        if (event == null) {
            return;
        }
        try {
            if (events.rememberFirstDelivery(event).await().atMost(DB)) {
                alerts.alert(event);
            } else {
                LOG.debugf("alert %s %s is a redelivery", event.eventType(), event.eventId());
            }
        } catch (RuntimeException e) {
            LOG.errorf("alert %s %s for %s not handled: %s", event.eventType(), event.eventId(), event.aggregateId(), e.getMessage());
        }
    }
}
