package dev.baton.gateway.webhook;

/**
 * What became of an accepted delivery. {@code eventId}, {@code eventType} and {@code workItem} are
 * set only when an event was published.
 */
public record Receipt(String outcome, String reason, String eventId, String eventType, String workItem) {
}
