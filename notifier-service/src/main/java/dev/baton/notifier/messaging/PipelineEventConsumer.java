package dev.baton.notifier.messaging;

import dev.baton.events.EventEnvelope;
import dev.baton.notifier.alert.AlertService;
import dev.baton.notifier.repository.ProcessedEventRepository;
import dev.baton.notifier.tracker.CardEventService;
import dev.baton.notifier.tracker.CardSyncService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Consumes {@code baton.transitions} and {@code baton.alerts}, once per event id. Blocking (the
 * Telegram calls wait for retries and the per-chat queue) and ordered, so one work item's events are
 * applied in order. Nothing escapes: a failed event is logged and the partition moves on.
 */
@ApplicationScoped
public class PipelineEventConsumer {

    private static final Logger LOG = Logger.getLogger(PipelineEventConsumer.class);
    private static final Duration DB = Duration.ofSeconds(30);

    private final ProcessedEventRepository events;
    private final CardEventService cardEvents;
    private final CardSyncService cards;
    private final AlertService alerts;

    public PipelineEventConsumer(ProcessedEventRepository events, CardEventService cardEvents, CardSyncService cards,
                                 AlertService alerts) {
        this.events = events;
        this.cardEvents = cardEvents;
        this.cards = cards;
        this.alerts = alerts;
    }

    @Incoming("transitions")
    @Blocking
    public void consumeTransition(EventEnvelope event) {
        if (event == null) {
            // An undecodable record: skipped (logged by the connector), never retried forever.
            return;
        }
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
