package dev.baton.notifier.health;

import dev.baton.notifier.NotifierMetrics;
import dev.baton.notifier.sender.ChatSenders;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Always UP: a backlog is load, not a failure (restarting a notifier that works through a burst
 * would only start the burst again). It shows what this replica sends to and how much waits, from
 * values the senders keep current, so it answers at once without touching the database or Telegram.
 */
@Readiness
@ApplicationScoped
public class SenderHealthCheck implements HealthCheck {

    private final ChatSenders senders;
    private final NotifierMetrics metrics;

    public SenderHealthCheck(ChatSenders senders, NotifierMetrics metrics) {
        this.senders = senders;
        this.metrics = metrics;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Telegram chat senders").up()
                .withData("sendingTo", String.join(",", senders.led()))
                .withData("pendingCards", metrics.cardBacklog())
                .withData("pendingAlerts", metrics.alertBacklog())
                .withData("oldestPendingSeconds", metrics.oldestAge().toSeconds())
                .build();
    }
}
