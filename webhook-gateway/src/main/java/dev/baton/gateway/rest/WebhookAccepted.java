package dev.baton.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.gateway.webhook.Receipt;

/**
 * The 202 body: what became of the delivery. {@code outcome} is {@code published}, {@code ignored},
 * {@code unmapped} or {@code bot}; the event fields only when one was published.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookAccepted(String outcome, String reason, String eventId, String eventType, String workItem) {

    static WebhookAccepted from(Receipt receipt) {
        return new WebhookAccepted(receipt.outcome(), receipt.reason(), receipt.eventId(), receipt.eventType(),
                receipt.workItem());
    }
}
