package dev.baton.notifier;

import dev.baton.infra.test.SettingsContract;

import java.util.List;

/** Each of the notifier's duration, count, rate and URL settings refuses a malformed and an out-of-range value. */
class NotifierSettingsTest extends SettingsContract {

    @Override
    protected List<Class<?>> settings() {
        return NotifierServiceMain.SETTINGS;
    }

    @Override
    protected Class<?> main() {
        return NotifierServiceMain.class;
    }

    @Override
    protected List<BadValues> table() {
        return List.of(
                bad("BATON_TELEGRAM_MESSAGES_PER_MINUTE", "twenty", "0"),
                bad("BATON_TELEGRAM_API_URL", "api.telegram.org", "tg://api.telegram.org"),
                bad("BATON_TELEGRAM_MAX_ATTEMPTS", "4x", "0"),
                bad("BATON_TELEGRAM_BACKOFF", "500 ms", "-1s"),
                bad("BATON_TELEGRAM_MAX_BACKOFF", "8 s", "11m"),
                bad("BATON_TELEGRAM_MAX_RETRY_AFTER", "a minute", "0s"),
                bad("BATON_NOTIFIER_SENDER_POLL", "1 s", "0s"),
                bad("BATON_NOTIFIER_ALERT_ATTEMPTS", "ten", "101"),
                bad("BATON_NOTIFIER_ALERT_RETRY", "15 s", "2h"),
                bad("BATON_NOTIFIER_PIPELINE_REFRESH", "5 min", "0s"),
                bad("BATON_NOTIFIER_PIPELINE_RETRY", "30 s", "-30s"),
                bad("BATON_NOTIFIER_ALERT_DEDUPE_WINDOW", "10 min", "25h"),
                bad("BATON_TRACKER_CLAIM_TTL", "2 min", "0s"),
                // Telegram deletes nothing older than 48 hours.
                bad("BATON_TRACKER_DELETE_WINDOW", "2 days", "49h"),
                bad("BATON_RETENTION_PROCESSED", "three weeks", "59m"),
                bad("BATON_RETENTION_BATCH_SIZE", "500 rows", "0"),
                bad("BATON_RETENTION_MAX_BATCHES", "many", "-1"),
                bad("BATON_RETENTION_BROKER_TIMEOUT", "5 s", "6m"));
    }
}
