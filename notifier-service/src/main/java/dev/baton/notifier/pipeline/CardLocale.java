package dev.baton.notifier.pipeline;

import java.util.Locale;

/** The language of the card and the alerts. */
public enum CardLocale {
    EN("en"),
    RU("ru");

    private final String code;

    CardLocale(String code) {
        this.code = code;
    }

    /** The key of this language in a stage's {@code label} map. */
    public String code() {
        return code;
    }

    /** {@code ru} (any case) is Russian; anything else, null included, is English. */
    public static CardLocale parse(String value) {
        return value != null && value.trim().toLowerCase(Locale.ROOT).equals("ru") ? RU : EN;
    }
}
