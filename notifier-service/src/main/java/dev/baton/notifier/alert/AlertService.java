package dev.baton.notifier.alert;

import dev.baton.events.EventEnvelope;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.client.TelegramResult;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.repository.AlertRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@code baton.alerts} event into one plain message to the alert chat. De-duplicated twice:
 * by event id (the consumer) and by content (type, work item, subject) within
 * {@code baton.notifier.alert-dedupe-window}; rate-limited by the per-chat queue of
 * {@link TelegramClient}. Blocking: runs on the consumer's worker thread.
 */
@ApplicationScoped
public class AlertService {

    private static final Logger LOG = Logger.getLogger(AlertService.class);
    private static final int MAX_TEXT = 1000;

    private final TelegramClient telegram;
    private final TelegramConfig telegramConfig;
    private final NotifierConfig notifier;
    private final AlertRepository alerts;
    private final Clock clock;

    public AlertService(TelegramClient telegram, TelegramConfig telegramConfig, NotifierConfig notifier,
                        AlertRepository alerts, Clock clock) {
        this.telegram = telegram;
        this.telegramConfig = telegramConfig;
        this.notifier = notifier;
        this.alerts = alerts;
        this.clock = clock;
    }

    /** @return true when a message went out */
    public boolean alert(EventEnvelope event) {
        String chat = telegramConfig.alertChatId().filter(c -> !c.isBlank()).or(telegramConfig::chatId).orElse(null);
        String token = telegramConfig.botToken().orElse("");
        if (chat == null || token.isBlank()) {
            LOG.infof("alert %s for %s not sent: Telegram is not configured", event.eventType(), event.aggregateId());
            return false;
        }
        if (!alerts.claim(dedupeKey(event), clock.instant(), notifier.alertDedupeWindow()).await().atMost(Duration.ofSeconds(10))) {
            LOG.debugf("alert %s for %s already sent within the window", event.eventType(), event.aggregateId());
            return false;
        }
        // Payload strings come from other services (effect details, reasons) and may quote a URL.
        TelegramResult sent = telegram.sendPlain(chat, cap(telegram.redact(text(event))));
        if (!sent.succeeded()) {
            LOG.warnf("alert %s for %s not delivered: %s", event.eventType(), event.aggregateId(), sent.detail());
        }
        return sent.succeeded();
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
