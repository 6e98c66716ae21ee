package dev.baton.notifier.tracker;

import java.util.Locale;

/** How a card is kept current: edited in place, or re-posted at the bottom of the chat. */
public enum TrackerMode {
    EDIT,
    BUMP;

    /** {@code bump} (any case) is bump; anything else, null included, is edit. */
    public static TrackerMode parse(String value) {
        return value != null && value.trim().toLowerCase(Locale.ROOT).equals("bump") ? BUMP : EDIT;
    }

    /** The value names one of the modes exactly (so a typo can be reported). */
    public static boolean known(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return v.equals("edit") || v.equals("bump");
    }
}
