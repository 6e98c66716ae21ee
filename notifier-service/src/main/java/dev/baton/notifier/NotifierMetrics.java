package dev.baton.notifier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The notifier's metrics, in one place (no metric name appears in business code):
 * <ul>
 *   <li>{@code baton_notifier_telegram_calls_total{method, outcome}}: Bot API calls by method
 *       ({@code sendMessage}, {@code editMessageText}, {@code deleteMessage}) and outcome
 *       ({@code ok}, {@code rate_limited} for a 429, {@code failed}, {@code dropped} when the
 *       update was given up for now);</li>
 *   <li>{@code baton_notifier_alerts_total{type, outcome}}: alerts queued, sent, deduplicated, dropped;</li>
 *   <li>{@code baton_notifier_backlog{kind}}: cards and alerts waiting for their sender;</li>
 *   <li>{@code baton_notifier_backlog_oldest_seconds}: how long the oldest of them has waited;</li>
 *   <li>{@code baton_retention_pruned_total{table}}: processed events the retention job deleted.</li>
 * </ul>
 * The Bot API series are registered at start, at zero, so a rate or an alert has a series before the first call;
 * docs/operations.md has the table.
 */
@ApplicationScoped
public class NotifierMetrics {

    private final MeterRegistry registry;
    private final Clock clock;
    private final AtomicLong cardBacklog = new AtomicLong();
    private final AtomicLong alertBacklog = new AtomicLong();
    private final AtomicReference<Instant> oldest = new AtomicReference<>();

    public NotifierMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        Gauge.builder("baton.notifier.backlog", cardBacklog, AtomicLong::get).tag("kind", "cards").register(registry);
        Gauge.builder("baton.notifier.backlog", alertBacklog, AtomicLong::get).tag("kind", "alerts").register(registry);
        Gauge.builder("baton.notifier.backlog.oldest.seconds", this, m -> m.oldestAge().toMillis() / 1000.0)
                .register(registry);
        for (String method : List.of("sendMessage", "editMessageText", "deleteMessage")) {
            for (String outcome : List.of("ok", "rate_limited", "failed", "dropped")) {
                registry.counter("baton.notifier.telegram.calls", "method", method, "outcome", outcome);
            }
        }
        registry.counter("baton.retention.pruned", "table", PROCESSED_EVENT);
    }

    /** The table the retention job prunes. */
    public static final String PROCESSED_EVENT = "notifier.processed_event";

    public void pruned(String table, long rows) {
        registry.counter("baton.retention.pruned", "table", table).increment(rows);
    }

    public void telegramCall(String method, String outcome) {
        registry.counter("baton.notifier.telegram.calls", "method", method, "outcome", outcome).increment();
    }

    public void alert(String type, String outcome) {
        registry.counter("baton.notifier.alerts", "type", type, "outcome", outcome).increment();
    }

    /** The backlog as last measured by a sender. */
    public void backlog(long cards, long alerts, Instant oldestPending) {
        cardBacklog.set(cards);
        alertBacklog.set(alerts);
        oldest.set(oldestPending);
    }

    public long cardBacklog() {
        return cardBacklog.get();
    }

    public long alertBacklog() {
        return alertBacklog.get();
    }

    /** Zero when nothing waits. */
    public Duration oldestAge() {
        Instant since = oldest.get();
        if (since == null) {
            return Duration.ZERO;
        }
        Duration age = Duration.between(since, clock.instant());
        return age.isNegative() ? Duration.ZERO : age;
    }
}
