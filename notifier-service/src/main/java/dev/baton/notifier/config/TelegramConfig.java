package dev.baton.notifier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** The Telegram Bot API and the chat the tracker cards go to. */
@ConfigMapping(prefix = "baton.telegram")
public interface TelegramConfig {

    /** Base URL of the Bot API; a fake's URL in tests. */
    @WithDefault("https://api.telegram.org")
    String apiUrl();

    /** Bot token ({@code BATON_TELEGRAM_BOT_TOKEN}); unset means nothing is sent. Never logged. */
    Optional<String> botToken();

    /** Team chat id ({@code BATON_TELEGRAM_CHAT_ID}); unset means nothing is sent. */
    Optional<String> chatId();
}
