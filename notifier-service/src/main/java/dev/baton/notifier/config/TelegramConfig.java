package dev.baton.notifier.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.Optional;

/** The Telegram Bot API and the chats the tracker cards and alerts go to. */
@ConfigMapping(prefix = "baton.telegram")
public interface TelegramConfig {

    /** Base URL of the Bot API; a fake's URL in tests. */
    @WithDefault("https://api.telegram.org")
    @HttpUrl
    String apiUrl();

    /** Bot token ({@code BATON_TELEGRAM_BOT_TOKEN}); unset means nothing is sent. Never logged. */
    Optional<String> botToken();

    /** Team chat id ({@code BATON_TELEGRAM_CHAT_ID}); unset means nothing is sent. */
    Optional<String> chatId();

    /** Chat for alerts ({@code BATON_TELEGRAM_ALERT_CHAT_ID}); unset means the team chat. */
    Optional<String> alertChatId();

    /** Attempts per Bot API call on 5xx or timeout, the first included; then the update is dropped. */
    @WithDefault("4")
    @Min(1)
    @Max(20)
    int maxAttempts();

    /** First wait between attempts; doubled on each further attempt. */
    @WithDefault("500ms")
    @DurationRange(min = "1ms", max = "1m")
    Duration backoff();

    /** Longest single wait between attempts. */
    @WithDefault("8s")
    @DurationRange(min = "1ms", max = "10m")
    Duration maxBackoff();

    /** A 429 asking to wait longer than this drops the update instead of stalling the consumer. */
    @WithDefault("60s")
    @DurationRange(min = "1s", max = "1h")
    Duration maxRetryAfter();

    /** Messages per minute to one chat (Telegram allows about 20 in a group). */
    @WithDefault("20")
    @Min(1)
    @Max(1000000)
    int messagesPerMinute();
}
