package dev.baton.notifier.alert;

import dev.baton.events.EventEnvelope;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.client.TelegramResult;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.repository.AlertRepository;
import dev.baton.notifier.NotifierMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a {@code baton.alerts} event into one plain message to the alert chat.
 * <ol>
 *   <li>{@link #enqueue}: in the consumer's transaction (with the event id's mark), claim the
 *       alert's content key within {@code baton.notifier.alert-dedupe-window} and queue its text
 *       for the alert chat. Nothing here waits on Telegram.</li>
 *   <li>{@link #deliver}: the alert chat's sender sends it (alerts before cards); a failure is
 *       tried again later, and given up after {@code baton.notifier.alert-attempts} tries.</li>
 * </ol>
 */
@ApplicationScoped
public class AlertService {

    private static final Logger LOG = Logger.getLogger(AlertService.class);
    private static final int MAX_TEXT = 1000;
    private static final Duration DB = Duration.ofSeconds(10);

    private final TelegramClient telegram;
    private final TelegramConfig telegramConfig;
    private final NotifierConfig notifier;
    private final AlertRepository alerts;
    private final NotifierMetrics metrics;
    private final Clock clock;

    public AlertService(TelegramClient telegram, TelegramConfig telegramConfig, NotifierConfig notifier,
                        AlertRepository alerts, NotifierMetrics metrics, Clock clock) {
        this.telegram = telegram;
        this.telegramConfig = telegramConfig;
        this.notifier = notifier;
        this.alerts = alerts;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The chat alerts go to: the alert chat, else the team chat; empty when Telegram is not configured. */
    public Optional<String> chat() {
        if (telegramConfig.botToken().filter(t -> !t.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        return telegramConfig.alertChatId().filter(c -> !c.isBlank()).or(() -> telegramConfig.chatId()
                .filter(c -> !c.isBlank()));
    }

    /**
     * Queues the alert in the caller's transaction, with the consumer span's {@code traceParent}
     * (null: none). @return true when it was queued (not a repeat)
     */
    public Uni<Boolean> enqueue(SqlClient conn, EventEnvelope event, String traceParent) {
        Optional<String> chat = chat();
        if (chat.isEmpty()) {
            LOG.infof("alert %s for %s not sent: Telegram is not configured", event.eventType(), event.aggregateId());
            return Uni.createFrom().item(false);
        }
        return alerts.claim(conn, dedupeKey(event), clock.instant(), notifier.alertDedupeWindow()).chain(fresh -> {
            if (!fresh) {
                LOG.debugf("alert %s for %s already queued within the window", event.eventType(), event.aggregateId());
                metrics.alert(event.eventType(), "deduplicated");
                return Uni.createFrom().item(false);
            }
            metrics.alert(event.eventType(), "queued");
            // Payload strings come from other services (effect details, reasons) and may quote a URL.
            return alerts.enqueue(conn, chat.get(), event.aggregateId(), event.eventType(),
                    cap(telegram.redact(text(event))), traceParent).replaceWith(true);
        });
    }

    /** Sends one queued alert. Blocking: the chat's sender thread. @return true when it went out */
    public boolean deliver(AlertRepository.QueuedAlert alert) {
        TelegramResult sent = telegram.sendPlain(alert.chatId(), alert.text());
        if (sent.succeeded()) {
            alerts.markSent(alert.id()).await().atMost(DB);
            metrics.alert(alert.eventType(), "sent");
            return true;
        }
        boolean dropped = alerts.markFailed(alert.id(), notifier.alertRetry(), notifier.alertAttempts())
                .await().atMost(DB);
        if (dropped) {
            metrics.alert(alert.eventType(), "dropped");
            LOG.errorf("alert %s for %s given up after %d attempts: %s", alert.eventType(), alert.workItem(),
                    notifier.alertAttempts(), sent.detail());
        } else {
            LOG.warnf("alert %s for %s not delivered (%s); trying again in %ss", alert.eventType(), alert.workItem(),
                    sent.detail(), notifier.alertRetry().toSeconds());
        }
        return false;
    }

    static String dedupeKey(EventEnvelope event) {
        Map<String, Object> p = event.payload();
        Object subject = switch (event.eventType()) {
            // A lease is reclaimed once; a forced release carries no new token, only the reclaimed one.
            case "LeaseReclaimed" -> p.get("kind") + "/" + p.get("previousToken");
            case "EffectInDoubt" -> p.get("effect") + "/" + p.get("token");
            case "JobReaped" -> p.get("jobId");
            case "PlaneDriftUnmapped" -> p.get("planeState");
            case "PlaneDriftUnresolved" -> p.get("stage") + "/" + p.get("planeState");
            default -> event.eventId();
        };
        return event.eventType() + "|" + event.aggregateId() + "|" + Objects.toString(subject, "");
    }

    static String text(EventEnvelope event) {
        Map<String, Object> p = event.payload();
        String item = event.aggregateId();
        return switch (event.eventType()) {
            case "LeaseReclaimed" -> "⚠️ " + item + ": transition lease reclaimed (" + v(p, "kind") + ") from "
                    + owner(p.get("previousOwner")) + ", " + v(p, "from") + " → " + v(p, "to") + ", by " + v(p, "by")
                    + (p.get("reason") == null ? "" : ": " + p.get("reason"));
            case "EffectInDoubt" -> "⚠️ " + item + ": effect " + v(p, "effect") + " in doubt (" + v(p, "from") + " → "
                    + v(p, "to") + "): " + v(p, "detail");
            case "JobReaped" -> "⚠️ " + item + ": job " + v(p, "jobId") + " reaped (tier " + v(p, "tier") + "): "
                    + v(p, "reason");
            case "PlaneDriftUnmapped" -> "⚠️ " + item + ": Plane state \"" + v(p, "planeState") + "\" maps to no stage";
            case "PlaneDriftUnresolved" -> "⚠️ " + item + ": Plane says \"" + v(p, "planeState") + "\", Baton says "
                    + v(p, "stage") + ", and the reconciler cannot move it: " + v(p, "reason");
            default -> "⚠️ " + item + ": " + event.eventType();
        };
    }

    /** Cut after redaction, so a cut can never leave part of a secret behind. */
    static String cap(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 1) + "…";
    }

    private static String owner(Object owner) {
        if (owner instanceof Map<?, ?> o) {
            return o.get("actor") + "@" + o.get("host") + " (pid " + o.get("pid") + ")";
        }
        return "?";
    }

    private static String v(Map<String, Object> p, String key) {
        return Objects.toString(p.get(key), "?");
    }
}
